// What the torch engine picks for a device, tested without one: the datasheet peak behind MFU
// (mimlab_torch/peaks.py, by torch.cuda.get_device_name()), the AdamW implementation (optimizer_choice.py, by torch
// version, device and AdamW's keyword arguments), and what a CPU run records of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tinyConfig } from '../../helpers/engine';
import { pythonJson } from './python';

interface Peak { tflops: number; device: string; kind: string; source: string }

function peaks(queries: [string, string][]): (Peak | null)[] {
  return pythonJson(`
import json
from mimlab_torch.peaks import peak_for
print(json.dumps([peak_for(name, precision) for name, precision in ${JSON.stringify(queries)}]))`);
}

describe('datasheet peaks by device name', () => {
  it('tells the H100 and H200 variants apart and picks the bf16 or TF32 dense figure by precision', () => {
    const names: [string, string, string, number][] = [
      ['NVIDIA H100 80GB HBM3', 'bf16', 'NVIDIA H100 SXM', 989.4],
      ['NVIDIA H100 80GB HBM3', 'fp32', 'NVIDIA H100 SXM', 494.7],
      ['NVIDIA H100 PCIe', 'bf16', 'NVIDIA H100 PCIe', 756],
      ['NVIDIA H100 NVL', 'bf16', 'NVIDIA H100 NVL', 835.5],
      ['NVIDIA H200', 'bf16', 'NVIDIA H200 SXM', 989.4],
      ['NVIDIA H200 NVL', 'bf16', 'NVIDIA H200 NVL', 835.5],
      ['NVIDIA GH200 480GB', 'bf16', 'NVIDIA GH200 (H100 SXM-class GPU)', 989.4],
      ['NVIDIA A100-SXM4-80GB', 'bf16', 'NVIDIA A100 (SXM or PCIe)', 312],
      ['NVIDIA A100-PCIE-40GB', 'fp32', 'NVIDIA A100 (SXM or PCIe)', 156],
      ['NVIDIA L40S', 'bf16', 'NVIDIA L40S', 362.05],
      ['NVIDIA L4', 'bf16', 'NVIDIA L4', 121],
    ];
    const got = peaks(names.map(([n, p]) => [n, p]));
    names.forEach(([name, precision, device, tflops], i) => {
      assert.equal(got[i]?.device, device, name);
      assert.equal(got[i]?.tflops, tflops, `${name} ${precision}`);
      assert.match(got[i]?.kind ?? '', precision === 'bf16' ? /^bf16 dense/ : /^tf32 dense/);
      assert.match(got[i]?.source ?? '', /datasheet/);
    });
  });

  it('knows no peak for a device outside the table', () => {
    assert.deepEqual(peaks([['Tesla T4', 'bf16'], ['NVIDIA GeForce RTX 4090', 'fp32'], ['', 'bf16']]), [null, null, null]);
  });

  it('MFU is achieved ÷ peak on a known GPU, and unavailable (with the reason) on a CPU or an unknown GPU', () => {
    const [h100, cpu, unknown] = pythonJson<Record<string, unknown>[]>(`
import json
from mimlab_torch.peaks import mfu
print(json.dumps([mfu(6.8e12, 0.02, 'cuda', 'NVIDIA H100 80GB HBM3', 'bf16'), mfu(1e9, 0.5, 'cpu', 'Intel Xeon', 'fp32'),
                  mfu(1e12, 0.1, 'cuda', 'Tesla T4', 'bf16')]))`);
    assert.ok(Math.abs((h100.achievedTflops as number) - 340) < 1e-9);
    assert.ok(Math.abs((h100.mfu as number) - 340 / 989.4) < 1e-12);
    assert.equal(cpu.mfu, null);
    assert.equal(cpu.peak, null);
    assert.match(String(cpu.mfuUnavailable), /no datasheet peak for a CPU \(Intel Xeon\)/);
    assert.ok(Math.abs((cpu.achievedTflops as number) - 0.002) < 1e-12);
    assert.equal(unknown.mfu, null);
    assert.match(String(unknown.mfuUnavailable), /'Tesla T4' is not in the table/);
  });
});

describe('the AdamW implementation', () => {
  const ALL = ['params', 'lr', 'foreach', 'fused', 'capturable'];
  const T113 = ['params', 'lr', 'foreach', 'capturable']; // torch 1.13's AdamW: no `fused`
  function choose(cases: [string, string, string[]][]): [string, Record<string, boolean>][] {
    return pythonJson(`
import json
from mimlab_torch.optimizer_choice import adamw_choice
print(json.dumps([adamw_choice(v, d, set(a)) for v, d, a in ${JSON.stringify(cases)}]))`);
  }

  it('fused on CUDA from torch 2.0, foreach on CUDA before it, the single-tensor loop on CPU', () => {
    assert.deepEqual(choose([
      ['2.5.1+cu124', 'cuda', ALL],
      ['2.0.0', 'cuda', ALL],
      ['1.13.0a0', 'cuda', T113],
      ['1.13.1+cu117', 'cuda', ALL], // a 1.x that offered `fused` is still not trusted with it
      ['2.5.1', 'cpu', ALL],
      ['1.13.0a0', 'cpu', T113],
      ['1.12.0', 'cuda', ['params', 'lr']],
    ]), [
      ['fused', { fused: true }],
      ['fused', { fused: true }],
      ['foreach', { foreach: true }],
      ['foreach', { foreach: true }],
      ['single-tensor', { foreach: false }],
      ['single-tensor', { foreach: false }],
      ['single-tensor', {}],
    ]);
  });

  it('refuses a version string it cannot read, naming it', () => {
    const r = pythonJson<string>(`
import json
from mimlab_torch.optimizer_choice import adamw_choice
try:
    adamw_choice('nightly', 'cuda', {'fused'})
    print(json.dumps('accepted'))
except ValueError as e:
    print(json.dumps(str(e)))`);
    assert.equal(r, "unrecognised torch version 'nightly'");
  });

  it('the engine builds the chosen optimizer and records it, with the pinning, in the status.json fields (CPU here)', () => {
    const r = pythonJson<{ implementation: string; foreach: unknown; status: Record<string, unknown> }>(`
import json
from mimlab_torch.device import Compute
from mimlab_torch.model import create_model, spec_from_config
from mimlab_torch.train_step import adamw
c = json.loads(${JSON.stringify(JSON.stringify(tinyConfig(['engine=torch'])))})
compute = Compute(c)
opt, _ = adamw(create_model(spec_from_config(c)).to(compute.device), c)
print(json.dumps({'implementation': opt.implementation, 'foreach': opt.defaults.get('foreach'), 'status': compute.status_fields(1, opt)}))`);
    assert.equal(r.implementation, 'single-tensor');
    assert.equal(r.foreach, false);
    assert.equal(r.status.optimizer, 'adamw-single-tensor');
    assert.equal(r.status.pinMemory, false);
    assert.equal(r.status.backend, 'torch-cpu');
  });
});
