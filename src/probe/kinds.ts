// The three probes over extracted features: linear and attentive (trained heads) and k-NN (no training).
import { tf } from '../ml/tf';
import type { ProbeMetricsRow } from '../protocol/run-files';
import { AttentiveHead, attentiveBatcher } from './attentive';
import type { ProbeConfig } from './config';
import { pooled, type FeatureSet, type FeatureSplit } from '../diagnostics/features';
import { DEFAULT_GRID_LRS, DEFAULT_GRID_WDS, gridPoints, trainLinearGrid } from './grid';
import type { Batcher, ProbeHead } from './head';
import { knnClassify } from './knn';
import { LinearHead, pooledBatcher } from './linear';
import { SgdMomentum } from './sgd';
import { evaluate, trainProbe } from './train';
import { holdOutValidation } from './val-split';

/** Attentive-probe attention of the query over the tokens of the first test images (DESIGN.md §5 overlay); from depth 2, over the blocks' output tokens, one per patch position. */
export interface AttentionDump {
  /** Test-split positions of the images. */
  images: number[];
  heads: number;
  /** Tokens per image, cls first; the rest are patches in row-major grid order. */
  tokens: number;
  /** number[image][head, then the head average][token]; each row sums to 1. */
  probs: number[][][];
}

export interface ProbeOutcome {
  top1: number;
  top5: number | null;
  attention?: AttentionDump;
  /** With a validation split: its size, the reported head's top-1 on it, and (grid) every head. */
  numVal?: number;
  valTop1?: number;
  grid?: { lr: number; weightDecay: number; valTop1: number }[];
  gridBest?: number;
}

/** Train features, and the validation split held out of them when probe.valFraction > 0. */
function trainAndVal(f: FeatureSet, cfg: ProbeConfig): { train: FeatureSplit; val: FeatureSplit | null } {
  if (cfg.valFraction <= 0) return { train: f.train, val: null };
  return holdOutValidation(f.train, f.dim, cfg.valFraction, cfg.seed);
}

/** `--grid`: linear heads over lr × weight decay in one pass, chosen on validation; test read once for the chosen one. */
export async function runLinearGrid(f: FeatureSet, cfg: ProbeConfig, shouldStop: () => boolean, onEpoch: (row: ProbeMetricsRow) => void): Promise<ProbeOutcome> {
  const { train, val } = trainAndVal(f, cfg);
  if (!val) throw new Error('probe grid: needs a validation split (probe.valFraction > 0)');
  const batcher = (s: FeatureSplit): Batcher => pooledBatcher(pooled(s, cfg.features), f.dim, s.labels);
  const out = await trainLinearGrid(
    { dim: f.dim, train: batcher(train), val: batcher(val), test: batcher(f.test) }, f.numClasses, gridPoints(DEFAULT_GRID_LRS, DEFAULT_GRID_WDS),
    { epochs: cfg.epochs, warmupEpochs: cfg.warmupEpochs, batchSize: cfg.batchSize, lr: cfg.lr, seed: cfg.seed, numClasses: f.numClasses, onEpoch, shouldStop },
    cfg.momentum,
  );
  return { top1: out.top1, top5: out.top5, numVal: val.n, valTop1: out.entries[out.best].valTop1, grid: out.entries, gridBest: out.best };
}

const ATTENTION_IMAGES = 16;

export async function runKnnProbe(f: FeatureSet, cfg: ProbeConfig): Promise<ProbeOutcome> {
  const r = await knnClassify(
    { features: pooled(f.train, cfg.features), labels: f.train.labels }, { features: pooled(f.test, cfg.features), labels: f.test.labels },
    f.dim, { k: cfg.k, temperature: cfg.temperature, numClasses: f.numClasses },
  );
  return { top1: r.top1, top5: r.top5 };
}

async function attentionDump(head: AttentiveHead, test: Batcher, tokens: number): Promise<AttentionDump> {
  const n = Math.min(ATTENTION_IMAGES, test.n);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const inputs = test.make(idx);
  const probs = tf.tidy(() => {
    const p = head.pool(inputs, n).probs; // [n, H, T]
    return tf.concat([p, tf.mean(p, 1, true)], 1); // + head average
  });
  const data = await probs.data();
  tf.dispose([probs, ...inputs]);
  const H = head.spec.heads + 1;
  const out = Array.from({ length: n }, (_, i) => Array.from({ length: H }, (_, h) => Array.from(data.subarray((i * H + h) * tokens, (i * H + h + 1) * tokens))));
  return { images: Array.from(idx), heads: head.spec.heads, tokens, probs: out };
}

export async function runClassifierProbe(
  kind: 'linear' | 'attentive', f: FeatureSet, cfg: ProbeConfig, encoderHeads: number, shouldStop: () => boolean,
  onEpoch: (row: ProbeMetricsRow) => void,
): Promise<ProbeOutcome> {
  let head: ProbeHead;
  let batcher: (s: FeatureSplit) => Batcher;
  if (kind === 'linear') {
    head = new LinearHead(f.dim, f.numClasses, cfg.seed);
    batcher = (s) => pooledBatcher(pooled(s, cfg.features), f.dim, s.labels);
  } else {
    if (!f.train.tokens || !f.test.tokens) throw new Error('attentive probe: token features were not extracted');
    head = new AttentiveHead({
      dim: f.dim, heads: cfg.heads > 0 ? cfg.heads : encoderHeads, numClasses: f.numClasses, seed: cfg.seed, queries: cfg.queries, mlp: cfg.mlp,
      depth: cfg.depth, positions: f.positions,
    });
    batcher = (s) => attentiveBatcher(s.tokens ?? new Float32Array(0), f.dim, f.tokensPerImage, f.positions, cfg.depth, s.labels);
  }
  const split = trainAndVal(f, cfg);
  const train = batcher(split.train);
  const test = batcher(f.test);
  const opt = new SgdMomentum(head.params, { momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  try {
    // With a validation split the epochs are watched on it, and the test split is evaluated once, at the end.
    const out = await trainProbe(head, opt, train, split.val ? batcher(split.val) : test, {
      epochs: cfg.epochs, warmupEpochs: cfg.warmupEpochs, batchSize: cfg.batchSize, lr: cfg.lr, seed: cfg.seed,
      numClasses: f.numClasses, onEpoch, shouldStop, monitor: split.val ? 'val' : 'test',
    });
    const final = split.val ? await evaluate(head, test, Math.max(cfg.batchSize, 256), f.numClasses) : out;
    const attention = head instanceof AttentiveHead ? await attentionDump(head, test, f.tokensPerImage) : undefined;
    return {
      top1: final.top1, top5: final.top5, ...(attention ? { attention } : {}), ...(split.val ? { numVal: split.val.n, valTop1: out.top1 } : {}),
    };
  } finally {
    opt.dispose();
    head.dispose();
  }
}
