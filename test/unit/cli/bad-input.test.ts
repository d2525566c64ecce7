// Every command's refusals follow one rule (issue 19): exit 2, one line on stderr that names the argument, key,
// file or folder, no stack trace, and nothing left behind (no run folder, no file in the working folder, the
// inputs untouched). One row per mistake; rows for another engine are more entries in CASES.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { CLI, ensureBuilt } from '../../helpers/cli';
import { tempDir } from '../../helpers/runs';
import { PYTHON } from '../torch/python';
import { makeBadInputFixtures, type BadInputFixtures } from './bad-input-fixtures';

interface BadInputCase {
  name: string;
  /** Arguments after `mim-lab`; run in an empty working folder, so default outputs (.mimlab/runs) land there. */
  args: (fx: BadInputFixtures) => string[];
  /** What the error line must name. */
  names: (fx: BadInputFixtures) => RegExp;
  /** 2 unless said otherwise. */
  exit?: number;
  /** Added to the CLI's environment. */
  env?: NodeJS.ProcessEnv;
}

const esc = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const TINY = ['--preset', 'cae-tiny'];

const CASES: BadInputCase[] = [
  // The command line itself
  { name: 'unknown command', args: () => ['pretrian'], names: () => /unknown command "pretrian".*pretrain/ },
  { name: 'unknown option', args: () => ['pretrain', '--step', '5'], names: () => /pretrain: unknown option --step/ },
  { name: 'option without its value', args: () => ['pretrain', '--preset'], names: () => /--preset needs a value/ },
  { name: 'stray argument', args: () => ['pretrain', 'cae-tiny'], names: () => /pretrain: unexpected argument "cae-tiny"/ },
  { name: '--set without =', args: () => ['pretrain', '--set', 'train.steps'], names: () => /--set expects key=value, got "train\.steps"/ },
  // pretrain: config keys
  { name: 'unknown key', args: () => ['pretrain', ...TINY, '--set', 'train.stepz=3'], names: () => /unknown config key "train\.stepz"/ },
  { name: 'wrong type', args: () => ['pretrain', ...TINY, '--set', 'train.batchSize=abc'], names: () => /train\.batchSize: expected an integer/ },
  { name: 'non-integer', args: () => ['pretrain', ...TINY, '--set', 'train.steps=2.5'], names: () => /train\.steps must be an integer/ },
  { name: 'below the minimum', args: () => ['pretrain', ...TINY, '--set', 'train.steps=0'], names: () => /train\.steps must be an integer ≥ 1/ },
  { name: 'image size not divisible by the patch', args: () => ['pretrain', ...TINY, '--set', 'data.imageSize=18'], names: () => /data\.imageSize \(18\) must be divisible by model\.patchSize \(4\)/ },
  { name: 'mask count ≥ patches', args: () => ['pretrain', ...TINY, '--set', 'mask.count=16'], names: () => /mask\.count \(16\) must be smaller than the number of patches \(16/ },
  { name: 'heads do not divide the width', args: () => ['pretrain', ...TINY, '--set', 'model.heads=3'], names: () => /model\.heads \(3\) must divide model\.dim \(32\)/ },
  { name: 'bad enum', args: () => ['pretrain', ...TINY, '--set', 'algorithm=beit'], names: () => /algorithm must be one of cae, mae/ },
  { name: 'minLr above lr', args: () => ['pretrain', ...TINY, '--set', 'train.minLr=1'], names: () => /train\.minLr \(1\) must not exceed train\.lr/ },
  { name: 'unknown preset', args: () => ['pretrain', '--preset', 'vit-huge'], names: () => /unknown preset "vit-huge"/ },
  { name: 'unknown backend', args: () => ['pretrain', ...TINY, '--backend', 'tpu'], names: () => /backend must be one of auto.*"tpu"/ },
  { name: 'token targets without a tokenizer', args: () => ['pretrain', ...TINY, '--set', 'loss.target=tokens'], names: () => /tokenizer\.path is required when loss\.target=tokens/ },
  { name: 'tokenizer path that does not exist', args: (fx) => ['pretrain', ...TINY, '--set', 'loss.target=tokens', '--set', `tokenizer.path=${join(fx.root, 'no-tokenizer')}`], names: (fx) => new RegExp(`tokenizer\\.path=${esc(join(fx.root, 'no-tokenizer')).source}`) },
  // pretrain: config files
  { name: '--config that does not exist', args: (fx) => ['pretrain', '--config', join(fx.root, 'missing.mimlab.json')], names: () => /--config .*missing\.mimlab\.json/ },
  { name: '--config that is not JSON', args: (fx) => ['pretrain', '--config', fx.brokenJsonConfig], names: () => /--config .*broken\.mimlab\.json/ },
  { name: '--config that is not an object', args: (fx) => ['pretrain', '--config', fx.arrayConfig], names: () => /array\.mimlab\.json: expected a JSON object/ },
  { name: '--config with a mistyped key', args: (fx) => ['pretrain', '--config', fx.mistypedConfig], names: () => /mistyped\.mimlab\.json: train\.steps must be an integer/ },
  // pretrain: datasets
  { name: 'dataset path that does not exist', args: () => ['pretrain', ...TINY, '--set', 'data.dataset=idx', '--set', 'data.path=/nonexistent/mnist'], names: () => /data\.path does not exist: \/nonexistent\/mnist/ },
  { name: 'dataset without a path', args: () => ['pretrain', ...TINY, '--set', 'data.dataset=cifar10'], names: () => /data\.path is required for data\.dataset=cifar10/ },
  { name: 'folder dataset whose every image is corrupt', args: (fx) => ['pretrain', ...TINY, '--set', 'data.dataset=folder', '--set', `data.path=${fx.corruptImages}`], names: (fx) => new RegExp(`no image decoded in ${esc(join(fx.corruptImages, 'train')).source}`) },
  { name: 'folder dataset with an empty split', args: (fx) => ['pretrain', ...TINY, '--set', 'data.dataset=folder', '--set', `data.path=${fx.noImages}`], names: (fx) => new RegExp(`no \\.png/\\.jpg/\\.jpeg images in the class folders of ${esc(join(fx.noImages, 'train')).source}`) },
  { name: 'folder dataset without a val split', args: (fx) => ['pretrain', ...TINY, '--set', 'data.dataset=folder', '--set', `data.path=${fx.noVal}`], names: (fx) => new RegExp(`no evaluation split, expected ${esc(join(fx.noVal, 'val')).source}`) },
  { name: 'folder dataset with a val class not in train', args: (fx) => ['pretrain', ...TINY, '--set', 'data.dataset=folder', '--set', `data.path=${fx.strayValClass}`], names: () => /class 'bird' in .*val has no folder in the train split/ },
  { name: 'folder dataset path that is a file', args: (fx) => ['pretrain', ...TINY, '--set', 'data.dataset=folder', '--set', `data.path=${fx.aFile}`], names: (fx) => new RegExp(`no train folder at ${esc(fx.aFile).source}`) },
  { name: 'IDX file that is garbage', args: (fx) => ['pretrain', ...TINY, '--set', 'data.dataset=idx', '--set', `data.path=${fx.badIdx}`], names: () => /bad-idx\/train-images-idx3-ubyte: not an IDX file/ },
  { name: '--runs-dir that is a file', args: (fx) => ['pretrain', ...TINY, '--runs-dir', fx.aFile], names: (fx) => new RegExp(`--runs-dir: ${esc(fx.aFile).source} is a file, expected a folder`) },
  // pretrain: the torch engine (refused before any run folder, and before Python starts training)
  { name: 'torch engine with a --python that does not exist', args: () => ['pretrain', ...TINY, '--engine', 'torch', '--python', '/nonexistent/python3'], names: () => /engine=torch needs Python ≥ 3\.9 with torch ≥ 1\.13; tried: \/nonexistent\/python3 \(mimLab\.pythonPath \/ --python\) not found/ },
  { name: 'torch engine with a --python that has no torch', args: (fx) => ['pretrain', ...TINY, '--engine', 'torch', '--python', fx.torchlessPython], names: (fx) => new RegExp(`tried: ${esc(fx.torchlessPython).source} \\(mimLab\\.pythonPath / --python\\) has no torch \\(ModuleNotFoundError`) },
  { name: 'torch engine with a --python that is not a Python', args: () => ['pretrain', ...TINY, '--engine', 'torch', '--python', '/bin/false'], names: () => /tried: \/bin\/false \(mimLab\.pythonPath \/ --python\) is not a working Python/ },
  { name: 'unknown engine', args: () => ['pretrain', ...TINY, '--engine', 'pytorch'], names: () => /engine must be one of tfjs, torch, got "pytorch"/ },
  { name: 'torch-only key under the TF.js engine', args: () => ['pretrain', ...TINY, '--set', 'torch.compile=true'], names: () => /torch\.compile=true need engine=torch/ },
  { name: '--nproc under the TF.js engine', args: () => ['pretrain', ...TINY, '--nproc', '2'], names: () => /--nproc\/--nnodes need engine=torch/ },
  { name: '--nproc 2 with a batch it does not divide', args: () => ['pretrain', ...TINY, '--engine', 'torch', '--nproc', '2', '--set', 'train.batchSize=5'], names: () => /train\.batchSize \(5\) is the global batch and must be divisible by the number of processes \(2 = --nproc 2 × --nnodes 1\)/ },
  { name: '--nproc 0', args: () => ['pretrain', ...TINY, '--engine', 'torch', '--nproc', '0'], names: () => /--nproc must be an integer ≥ 1, got "0"/ },
  // CUDA_VISIBLE_DEVICES= hides every GPU, so the row refuses on a CUDA machine too.
  { name: 'torch.device=cuda without a CUDA device', args: () => ['pretrain', ...TINY, '--engine', 'torch', '--python', PYTHON, '--set', 'torch.device=cuda'], env: { CUDA_VISIBLE_DEVICES: '' }, names: () => /with torch ≥ 1\.13 and CUDA; tried: .* has torch \S+ without a CUDA device \(torch\.device=cuda\)/ },
  // resume
  { name: 'resume without a folder', args: () => ['resume'], names: () => /resume: expected a run folder/ },
  { name: 'resume of a folder that does not exist', args: (fx) => ['resume', join(fx.root, 'gone')], names: (fx) => new RegExp(`resume: no such folder: ${esc(join(fx.root, 'gone')).source}`) },
  { name: 'resume of a folder that is not a run', args: (fx) => ['resume', fx.notARun], names: (fx) => new RegExp(`resume: ${esc(fx.notARun).source} is not a run folder \\(it has no config\\.json\\)`) },
  { name: 'resume of a file', args: (fx) => ['resume', fx.aFile], names: (fx) => new RegExp(`resume: ${esc(fx.aFile).source} is a file, expected a run folder`) },
  { name: 'resume of a run whose config.json is not JSON', args: (fx) => ['resume', fx.brokenJsonRun], names: () => /resume: .*broken-json\/config\.json is not valid JSON/ },
  { name: 'resume of a run whose config.json is not an object', args: (fx) => ['resume', fx.arrayConfigRun], names: () => /resume: .*array-config\/config\.json must hold a JSON object/ },
  { name: 'resume of a run whose config.json has an unknown key', args: (fx) => ['resume', fx.unknownKeyRun], names: () => /resume: .*unknown-key\/config\.json: unknown config key "train\.stepz"/ },
  { name: 'resume of a run that is still running', args: (fx) => ['resume', fx.liveRun], names: () => new RegExp(`resume: .*live is still running \\(pid ${process.pid}\\)`) },
  { name: 'resume with an unknown --set key', args: (fx) => ['resume', fx.runWithoutCheckpoint, '--set', 'train.stepz=9'], names: () => /resume: unknown config key "train\.stepz"|unknown config key "train\.stepz"/ },
  { name: 'resume --engine torch of a folder that does not exist', args: (fx) => ['resume', join(fx.root, 'gone'), '--engine', 'torch'], names: (fx) => new RegExp(`resume: no such folder: ${esc(join(fx.root, 'gone')).source}`) },
  { name: 'resume --engine torch with a --python that does not exist', args: (fx) => ['resume', fx.runWithoutCheckpoint, '--engine', 'torch', '--python', '/nonexistent/python3'], names: () => /engine=torch needs Python .*tried: \/nonexistent\/python3 .* not found/ },
  { name: 'resume --nproc 2 of a TF.js run', args: (fx) => ['resume', fx.runWithoutCheckpoint, '--nproc', '2'], names: () => /--nproc\/--nnodes need engine=torch/ },
  { name: 'resume with an unknown option', args: (fx) => ['resume', fx.runWithoutCheckpoint, '--kind', 'linear'], names: () => /resume: unknown option --kind/ },
  // probe
  { name: 'probe without a folder', args: () => ['probe', '--kind', 'linear'], names: () => /probe: expected a run folder/ },
  { name: 'probe of a folder that does not exist', args: (fx) => ['probe', join(fx.root, 'gone'), '--kind', 'linear'], names: (fx) => new RegExp(`probe: no such folder: ${esc(join(fx.root, 'gone')).source}`) },
  { name: 'probe of a folder that is not a run', args: (fx) => ['probe', fx.notARun, '--kind', 'knn'], names: () => /probe: .*not-a-run is not a run folder/ },
  { name: 'probe without --kind', args: (fx) => ['probe', fx.runWithoutCheckpoint], names: () => /probe: --kind is required/ },
  { name: 'probe of an unknown kind', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'svm'], names: () => /--kind must be one of linear, attentive, knn, got "svm"/ },
  { name: 'probe with a bad --checkpoint', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'knn', '--checkpoint', 'best'], names: () => /--checkpoint must be "latest" or a step number, got "best"/ },
  { name: 'probe of a run without a checkpoint', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'knn'], names: () => /probe: no checkpoint found in .*no-checkpoint\/checkpoints/ },
  { name: 'probe setting out of range', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'linear', '--set', 'probe.epochs=0'], names: () => /probe\.epochs: expected an integer ≥ 1, got "0"/ },
  { name: 'attentive probe with a depth of 0', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'attentive', '--set', 'probe.depth=0'], names: () => /probe\.depth: expected an integer ≥ 1, got "0"/ },
  { name: 'probe given a run setting', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'linear', '--set', 'train.lr=1'], names: () => /--set train\.lr is not a probe setting/ },
  { name: 'probe with an unknown backend', args: (fx) => ['probe', fx.runWithoutCheckpoint, '--kind', 'knn', '--backend', 'tpu'], names: () => /--backend must be one of .*"tpu"/ },
  { name: 'probe of a dataset with one class', args: (fx) => ['probe', fx.oneClassRun, '--kind', 'knn', '--random-init'], names: (fx) => new RegExp(`${esc(join(fx.oneClass, 'train')).source} has 1 class; the knn probe needs at least 2`) },
  { name: 'probe of a dataset where no image decodes', args: (fx) => ['probe', fx.corruptImagesRun, '--kind', 'linear', '--random-init'], names: (fx) => new RegExp(`no image decoded in ${esc(join(fx.corruptImages, 'train')).source}`) },
  // compare, report
  { name: 'compare without runs', args: () => ['compare'], names: () => /compare: expected one or more run folders/ },
  { name: 'compare of a folder that does not exist', args: (fx) => ['compare', join(fx.root, 'gone')], names: () => /compare: no such folder: .*gone/ },
  { name: 'compare of a folder holding no runs', args: (fx) => ['compare', fx.noVal], names: () => /compare: .*no-val is neither a run folder nor a folder of runs/ },
  { name: 'compare in an unknown format', args: (fx) => ['compare', fx.runWithoutCheckpoint, '--format', 'xlsx'], names: () => /--format must be one of text, markdown, csv, got "xlsx"/ },
  { name: 'compare written into a folder', args: (fx) => ['compare', fx.runWithoutCheckpoint, '-o', fx.root], names: () => /compare: -o: .* is a folder, expected a file name/ },
  { name: 'report without a folder', args: () => ['report'], names: () => /report: expected a run folder/ },
  { name: 'report of a folder that does not exist', args: (fx) => ['report', join(fx.root, 'gone')], names: () => /report: no such folder: .*gone/ },
  { name: 'report of a folder that is not a run', args: (fx) => ['report', fx.notARun], names: () => /report: .*not-a-run is not a run folder/ },
  { name: 'report written under a file', args: (fx) => ['report', fx.runWithoutCheckpoint, '-o', join(fx.aFile, 'report.html')], names: () => /report: -o: .*a-file\.txt is a file, expected a folder/ },
  // tokenizer, config, presets, data inspect
  { name: 'tokenizer without a subcommand', args: () => ['tokenizer'], names: () => /tokenizer: expected the subcommand "train" or "info"/ },
  { name: 'tokenizer train without --out', args: () => ['tokenizer', 'train'], names: () => /tokenizer train: --out DIR is required/ },
  { name: 'tokenizer train into a file', args: (fx) => ['tokenizer', 'train', '--out', fx.aFile], names: () => /tokenizer train: --out: .*a-file\.txt is a file, expected a folder/ },
  { name: 'tokenizer train with an unknown key', args: (fx) => ['tokenizer', 'train', '--out', join(fx.root, 'tok'), '--set', 'tokenizer.vocabb=8'], names: () => /unknown config key "tokenizer\.vocabb"/ },
  { name: 'tokenizer info without a path', args: () => ['tokenizer', 'info'], names: () => /tokenizer info: expected a tokenizer folder or model\.json/ },
  { name: 'tokenizer info of a folder without a tokenizer', args: (fx) => ['tokenizer', 'info', fx.notARun], names: () => /not-a-run holds neither tokenizer\.json nor a TF\.js model\.json/ },
  { name: 'config with an unknown key', args: () => ['config', '--set', 'mask.kind=checker'], names: () => /mask\.kind must be one of block, random/ },
  { name: 'config with an unknown option', args: () => ['config', '--runs-dir', 'x'], names: () => /config: unknown option --runs-dir/ },
  { name: 'presets with an argument', args: () => ['presets', 'cae-tiny'], names: () => /presets: unexpected argument "cae-tiny"/ },
  { name: 'data without inspect', args: () => ['data', 'show'], names: () => /data: expected the subcommand "inspect"/ },
  { name: 'data inspect of a missing path', args: () => ['data', 'inspect', '--set', 'data.dataset=cifar10', '--set', 'data.path=/nonexistent/cifar'], names: () => /data\.path does not exist: \/nonexistent\/cifar/ },
  { name: 'data inspect of a folder where no image decodes', args: (fx) => ['data', 'inspect', '--set', 'data.dataset=folder', '--set', `data.path=${fx.corruptImages}`, '-o', join(fx.root, 'grid.png')], names: () => /no image decoded in .*corrupt-images\/train/ },
  // bench, demo
  { name: 'bench with zero steps', args: () => ['bench', '--steps', '0', '--no-torch'], names: () => /--steps must be an integer ≥ 1/ },
  { name: 'bench of an unknown preset', args: () => ['bench', '--preset', 'vit-huge', '--no-torch'], names: () => /unknown preset "vit-huge"/ },
  { name: 'bench with an unknown backend', args: () => ['bench', '--backend', 'tpu', '--no-torch'], names: () => /--backend must be one of .*"tpu"/ },
  { name: 'demo with an unknown key', args: () => ['demo', '--set', 'train.stepz=1'], names: () => /unknown config key "train\.stepz"/ },
  { name: 'demo on a dataset with one class (refused before pretraining)', args: (fx) => ['demo', '--set', 'data.dataset=folder', '--set', `data.path=${fx.oneClass}`], names: (fx) => new RegExp(`${esc(join(fx.oneClass, 'train')).source} has 1 class; the attentive probe needs at least 2`) },
  { name: 'demo with a bad probe setting (refused before pretraining)', args: () => ['demo', '--set', 'probe.epochs=0'], names: () => /probe\.epochs: expected an integer ≥ 1/ },
];

/** Every file and folder under `dir` with its size and modification time: any write shows up as a change. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = statSync(p);
      out.push(`${relative(dir, p)} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function mimLab(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let fx: BadInputFixtures;
before(() => {
  ensureBuilt();
  fx = makeBadInputFixtures();
});

describe('bad input: exit 2, one line naming the field, no stack trace, nothing left behind', { concurrency: 2 }, () => {
  it(`the table covers every command (${CASES.length} cases)`, () => {
    const commands = new Set(CASES.map((c) => c.args(fx)[0]));
    for (const c of ['pretrain', 'resume', 'probe', 'compare', 'report', 'tokenizer', 'config', 'presets', 'data', 'bench', 'demo']) assert.ok(commands.has(c), c);
    assert.ok(CASES.length >= 40);
    const torchRows = CASES.filter((c) => c.args(fx).join(' ').includes('--engine torch'));
    assert.ok(torchRows.some((c) => c.args(fx)[0] === 'pretrain') && torchRows.some((c) => c.args(fx)[0] === 'resume'), 'both engines: torch rows for pretrain and resume');
  });
  for (const c of CASES) {
    it(c.name, async () => {
      const cwd = tempDir('bad-input-cwd');
      const inputs = snapshot(fx.root);
      const r = await mimLab(c.args(fx), cwd, c.env);
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      assert.equal(r.code, c.exit ?? 2, `exit code; stderr:\n${r.stderr}`);
      assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
      assert.match(lines[0], /^error: /);
      assert.match(lines[0], c.names(fx));
      assert.doesNotMatch(r.stderr + r.stdout, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
      assert.deepEqual(readdirSync(cwd), [], 'nothing written in the working folder (no .mimlab/runs, no output file)');
      assert.deepEqual(snapshot(fx.root), inputs, 'the inputs are untouched (no run folder, no probe folder, no cache)');
    });
  }
});
