// `mim-lab bench --soak [--kills N] [--seed S] [--preset P] [--set key=value …]`: the fault soak of src/bench/soak.ts
// on one run (cae-tiny-sized by default; `--set engine=torch` soaks the PyTorch engine), driven through this CLI's
// own pretrain and resume.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineOf } from '../config/engine';
import { resolveConfig } from '../config/resolve';
import { cliSoakEngine, runSoak } from '../bench/soak';
import { EXIT, type JobContext } from './jobs';
import { integerOption, only, type ParsedArgs } from './args';

/** Small and quick, checkpointing often so that kills land before, on and after checkpoints. */
export const SOAK_SETS = ['train.steps=60', 'train.batchSize=4', 'train.checkpointEvery=3', 'train.logEvery=1'];

export async function soakCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['kills', 'seed', 'preset'], 'bench --soak', 0);
  const kills = integerOption(args, 'kills', 20, 1);
  const seed = integerOption(args, 'seed', 0, 0);
  const preset = args.options.get('preset') ?? 'cae-tiny';
  const sets = [...SOAK_SETS, ...args.sets];
  const config = resolveConfig({ preset, sets }); // refuse bad settings before the first run starts
  const workDir = mkdtempSync(join(tmpdir(), 'mimlab-soak-'));
  const engine = cliSoakEngine(process.argv[1], ['--preset', preset, ...sets.flatMap((s) => ['--set', s])], engineOf(config));
  ctx.print(`soak: ${kills} × kill -9 of one ${engine.name} run (${preset}, ${config.train.steps} steps, checkpoint every ${config.train.checkpointEvery}), seed ${seed}, in ${workDir}`);
  try {
    const r = await runSoak({ engine, steps: config.train.steps, kills, seed, workDir, log: ctx.print });
    for (const p of r.problems) ctx.print(`  problem: ${p}`);
    ctx.print(`soak ${r.problems.length ? 'FAILED' : 'passed'}: reference ${r.referenceSeconds.toFixed(1)} s, soak ${r.soakSeconds.toFixed(1)} s (${kills} kills, ${r.kills.filter((k) => k.moment === 'start-up').length} in start-up)`);
    return r.problems.length ? EXIT.failed : EXIT.ok;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
