// `mim-lab tokenizer train --out DIR [--preset P] [--config f.json] [--set key=value …] [--backend B]`
// `mim-lab tokenizer info PATH [--set data.imageSize=… --set tokenizer.inputSize=…]`
// Training reads the dataset keys of the run config (data.*), the tokenizer keys (tokenizer.vocab, tokenizer.steps,
// tokenizer.inputSize) and, when given explicitly with --set, train.steps / train.batchSize / train.lr / train.seed.
import { ConfigError, parseSets } from '../config/resolve';
import { openDataset } from '../data/open';
import { initBackend } from '../ml/backend';
import { TokenizerError } from '../tokenizer/format';
import { tokenizerTrainOptions, vitGrid } from '../tokenizer/targets';
import { Tokenizer } from '../tokenizer/tokenizer';
import { trainTokenizer } from '../tokenizer/train';
import { configFromArgs, EXIT, type JobContext } from './jobs';
import { only, UsageError, type ParsedArgs } from './args';
import { checkOutputDir } from './output-paths';

export const TOKENIZER_USAGE = 'tokenizer train --out DIR [--preset P] [--set data.dataset=… --set data.path=…] [--set train.steps=N …] | tokenizer info PATH';

async function train(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['out', 'preset', 'config', 'backend'], 'tokenizer train', 1);
  const out = args.options.get('out');
  if (!out) throw new UsageError('tokenizer train: --out DIR is required (the folder the tokenizer is written to)');
  args.options.delete('out');
  checkOutputDir(out, 'tokenizer train: --out');
  const config = configFromArgs(args);
  // Only explicit train.* settings apply: the preset's train.steps/lr are sized for the ViT, not the tokenizer.
  const explicit = parseSets(args.sets);
  const backend = await initBackend(config.backend);
  const dataset = await openDataset(config);
  const opts = tokenizerTrainOptions(config, dataset, out, ctx.print, ctx.reporter.progress?.bind(ctx.reporter));
  if (explicit['train.steps'] !== undefined) opts.steps = explicit['train.steps'] as number;
  if (explicit['train.batchSize'] !== undefined) opts.batchSize = explicit['train.batchSize'] as number;
  if (explicit['train.lr'] !== undefined) opts.lr = explicit['train.lr'] as number;
  ctx.print(`backend: ${backend.name}; dataset: ${dataset.name} (${dataset.train.length} train images); ${opts.vocab} codes on a ${opts.grid}×${opts.grid} grid at ${opts.inputSize} px; ${opts.steps} steps`);
  const r = await trainTokenizer(opts);
  ctx.print(r.dir);
  return EXIT.ok;
}

async function info(args: ParsedArgs, ctx: JobContext): Promise<number> {
  only(args, ['preset', 'config', 'backend'], 'tokenizer info', 2);
  const path = args.positionals[1];
  if (!path) throw new UsageError('tokenizer info: expected a tokenizer folder or model.json (usage: mim-lab tokenizer info PATH)');
  const config = configFromArgs(args);
  await initBackend(config.backend);
  let tok: Tokenizer;
  try {
    tok = await Tokenizer.load(path, { inputSize: config.tokenizer.inputSize, fallbackSize: config.data.imageSize });
  } catch (err) {
    if (err instanceof TokenizerError) throw new ConfigError(err.message);
    throw err;
  }
  const g = vitGrid(config);
  ctx.print(JSON.stringify({
    path: tok.path, kind: tok.meta?.kind ?? 'tf.js model', inputSize: tok.inputSize, channels: tok.channels, grid: tok.grid, vocab: tok.vocab,
    output: tok.output, layout: tok.layout, inputMapping: tok.mapping, inputNorm: tok.inputNorm, decoder: tok.hasDecoder, metrics: tok.meta?.metrics ?? null,
    matchesVit: tok.grid[0] === g && tok.grid[1] === g, vitGrid: [g, g],
  }, null, 2));
  tok.dispose();
  return EXIT.ok;
}

export async function tokenizerCommand(args: ParsedArgs, ctx: JobContext): Promise<number> {
  switch (args.positionals[0]) {
    case 'train': return train(args, ctx);
    case 'info': return info(args, ctx);
    default: throw new UsageError(`tokenizer: expected the subcommand "train" or "info" (usage: mim-lab ${TOKENIZER_USAGE})`);
  }
}
