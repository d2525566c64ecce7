// `mim-lab export <runDir> [--checkpoint latest|<step>] [-o encoder.safetensors] [--names mimlab|timm]`: the encoder
// of one checkpoint (either engine's) alone, as safetensors, optionally under timm's ViT names so it can be
// fine-tuned there. The header's metadata says how inputs were normalised and which config trained it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recordedNormalisation } from '../data/stats';
import { toTimm } from '../ml/timm-names';
import { RUN_FILES } from '../protocol/run-files';
import { loadCheckpoint, resolveCheckpointStep } from '../trainer/checkpoint';
import { EXIT, type JobContext } from './jobs';
import { storeArrays } from '../trainer/model-state';
import { writeFileAtomic } from '../util/fs-atomic';
import { encodeSafetensors, type Tensor32 } from '../util/safetensors';
import { only, UsageError, type ParsedArgs } from './args';
import { parseCheckpoint } from './probe-command';

export const EXPORT_USAGE = 'export <runDir> [--checkpoint latest|<step>] [-o encoder.safetensors] [--names mimlab|timm]';
export const NAME_SCHEMES = ['mimlab', 'timm'] as const;
export type NameScheme = (typeof NAME_SCHEMES)[number];

export interface EncoderExport {
  step: number;
  tensors: Tensor32[];
  metadata: Record<string, string>;
}

export function exportEncoder(runDir: string, which: 'latest' | number, names: NameScheme): EncoderExport {
  const root = join(runDir, RUN_FILES.checkpoints);
  let step: number;
  try {
    step = resolveCheckpointStep(root, which);
  } catch (err) {
    throw new UsageError(`export: ${(err as Error).message}`);
  }
  const ck = loadCheckpoint(root, step);
  const config = ck.meta.config;
  const encoder = storeArrays(ck.arrays, 'encoder');
  if (!encoder.length) throw new UsageError(`export: checkpoint step ${step} of ${runDir} holds no encoder.* arrays`);
  const grid = config.data.imageSize / config.model.patchSize;
  const tensors = names === 'timm'
    ? toTimm(encoder, { patchSize: config.model.patchSize, channels: config.data.channels, grid, dim: config.model.dim })
    : encoder;
  const norm = recordedNormalisation(config, runDir);
  const metadata: Record<string, string> = {
    format: 'pt', // what transformers/timm loaders expect of a PyTorch state dict
    'mimlab.names': names,
    'mimlab.step': String(step),
    'mimlab.engine': ck.meta.engine ?? 'tfjs',
    'mimlab.model': JSON.stringify({ algorithm: config.algorithm, imageSize: config.data.imageSize, channels: config.data.channels, ...config.model }),
    'mimlab.input': `NHWC pixels in [0, 1], then (x - mean) / std per channel${norm ? `: mean ${JSON.stringify(norm.mean)}, std ${JSON.stringify(norm.std)}` : ''}; LayerNorm eps 1e-6, exact GELU`,
    'mimlab.config': JSON.stringify(config),
  };
  return { step, tensors, metadata };
}

export async function exportCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['checkpoint', 'out', 'names'], 'export');
  const runDir = args.positionals[0];
  if (!runDir || args.positionals.length > 1) throw new UsageError(`usage: mim-lab ${EXPORT_USAGE}`);
  if (!existsSync(join(runDir, RUN_FILES.checkpoints))) throw new UsageError(`export: ${runDir} is not a run folder with checkpoints`);
  const names = args.options.get('names') ?? 'mimlab';
  if (!(NAME_SCHEMES as readonly string[]).includes(names)) throw new UsageError(`--names must be one of ${NAME_SCHEMES.join(', ')}, got "${names}"`);
  const out = resolve(args.options.get('out') ?? 'encoder.safetensors');
  const e = exportEncoder(runDir, parseCheckpoint(args.options.get('checkpoint')), names as NameScheme);
  writeFileAtomic(out, encodeSafetensors(e.tensors, e.metadata));
  ctx.print(out);
  return EXIT.ok;
}
