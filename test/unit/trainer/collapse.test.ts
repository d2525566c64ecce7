// The collapse watch (DESIGN.md §3): warns once when the teacher's latents shrink while loss_main stalls,
// and stays quiet while either the latents stay spread or loss_main keeps improving.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CollapseMonitor } from '../../../src/trainer/collapse';

/** Feeds a series of (loss_main, latent_std) per step; returns the warnings with their step. */
function watch(monitor: CollapseMonitor, series: { main: number; std: number | null }[]): { step: number; text: string }[] {
  const out: { step: number; text: string }[] = [];
  series.forEach((s, i) => {
    const w = monitor.observe(i + 1, s.main, s.std);
    if (w) out.push({ step: i + 1, text: w });
  });
  return out;
}

const steps = (n: number, f: (t: number) => { main: number; std: number | null }): { main: number; std: number | null }[] =>
  Array.from({ length: n }, (_, t) => f(t));

describe('collapse monitor', () => {
  it('warns once on a collapsing run: latent_std sinks below the threshold and loss_main is stuck', () => {
    // The DESIGN.md failure: loss_main parks at ≈0.75 after a short fall, latent_std decays towards 0.
    const series = steps(300, (t) => ({ main: t < 20 ? 1 - 0.0125 * t : 0.75, std: 0.9 * Math.exp(-t / 40) }));
    const warnings = watch(new CollapseMonitor(0.05, 50), series);
    assert.equal(warnings.length, 1);
    // latent_std first drops below 0.05 at t = 116 (step 117); loss_main stopped improving ≥ 50 steps before.
    assert.equal(warnings[0].step, 117);
    assert.match(warnings[0].text, /possible representation collapse at step 117: latent_std 0\.0\d+ < 0\.05/);
  });

  it('stays quiet on a healthy run: latents stay spread while loss_main plateaus', () => {
    const series = steps(300, (t) => ({ main: t < 100 ? 1 - 0.004 * t : 0.6, std: 0.5 + 0.05 * Math.sin(t / 7) }));
    assert.deepEqual(watch(new CollapseMonitor(0.05, 50), series), []);
  });

  it('stays quiet while loss_main keeps improving, however small the latents', () => {
    const series = steps(300, (t) => ({ main: 0.99 ** t, std: 0.01 }));
    assert.deepEqual(watch(new CollapseMonitor(0.05, 50), series), []);
  });

  it('never warns for MAE (no latent target) or with the watch off', () => {
    const collapsing = steps(300, (t) => ({ main: 0.75, std: 0.9 * Math.exp(-t / 40) }));
    assert.deepEqual(watch(new CollapseMonitor(0.05, 50), collapsing.map((s) => ({ ...s, std: null }))), []);
    assert.deepEqual(watch(new CollapseMonitor(0, 50), collapsing), []);
  });
});
