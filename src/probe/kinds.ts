// The three probes over extracted features: linear and attentive (trained heads) and k-NN (no training).
import { tf, type Tensor2D } from '../ml/tf';
import type { ProbeMetricsRow } from '../protocol/run-files';
import { AttentiveHead, normaliseTokens, tokenBatcher } from './attentive';
import type { ProbeConfig } from './config';
import { pooled, type FeatureSet } from './features';
import type { Batcher, ProbeHead } from './head';
import { knnClassify } from './knn';
import { LinearHead, pooledBatcher } from './linear';
import { SgdMomentum } from './sgd';
import { trainProbe } from './train';

/** Attentive-probe attention of the query over the tokens of the first test images (DESIGN.md §5 overlay). */
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
    const p = head.attend(inputs[0] as Tensor2D, inputs[1] as Tensor2D, n).probs; // [n, H, T]
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
  let train: Batcher;
  let test: Batcher;
  if (kind === 'linear') {
    head = new LinearHead(f.dim, f.numClasses, cfg.seed);
    train = pooledBatcher(pooled(f.train, cfg.features), f.dim, f.train.labels);
    test = pooledBatcher(pooled(f.test, cfg.features), f.dim, f.test.labels);
  } else {
    if (!f.train.tokens || !f.test.tokens) throw new Error('attentive probe: token features were not extracted');
    head = new AttentiveHead({ dim: f.dim, heads: cfg.heads > 0 ? cfg.heads : encoderHeads, numClasses: f.numClasses, seed: cfg.seed });
    const T = f.tokensPerImage;
    const tr = normaliseTokens(f.train.tokens, f.dim, T, f.positions);
    const te = normaliseTokens(f.test.tokens, f.dim, T, f.positions);
    train = tokenBatcher(tr.xk, tr.xv, f.dim, T, f.train.labels);
    test = tokenBatcher(te.xk, te.xv, f.dim, T, f.test.labels);
  }
  const opt = new SgdMomentum(head.params, { momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  try {
    const out = await trainProbe(head, opt, train, test, {
      epochs: cfg.epochs, warmupEpochs: cfg.warmupEpochs, batchSize: cfg.batchSize, lr: cfg.lr, seed: cfg.seed,
      numClasses: f.numClasses, onEpoch, shouldStop,
    });
    const attention = head instanceof AttentiveHead ? await attentionDump(head, test, f.tokensPerImage) : undefined;
    return { top1: out.top1, top5: out.top5, ...(attention ? { attention } : {}) };
  } finally {
    opt.dispose();
    head.dispose();
  }
}
