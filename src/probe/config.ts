// Probe settings (DESIGN.md §4), separate from the run Config: a probe reads a finished run and never changes it.
// Every field has a default per probe kind; `--set probe.<key>=<value>` overrides it, with errors naming the key.
import { ConfigError } from '../config/resolve';
import { PROBE_KINDS, type ProbeKind } from '../protocol/run-files';

export type PooledFeatures = 'cls' | 'mean';

export interface ProbeConfig {
  kind: ProbeKind;
  /** Linear and k-NN: the cls token or the mean of the patch tokens (the attentive probe always sees all tokens). */
  features: PooledFeatures;
  /** Passes over the train split (linear, attentive). */
  epochs: number;
  /** Linear warmup of the learning rate, in epochs. */
  warmupEpochs: number;
  batchSize: number;
  /** Peak SGD learning rate (cosine decay to 0 after warmup). */
  lr: number;
  momentum: number;
  /** Weight decay on weights of rank ≥ 2 (the paper's probes use 0). */
  weightDecay: number;
  /** Attentive probe: attention heads (0 = the encoder's). */
  heads: number;
  /** Attentive probe: learnable queries (CAE 1) and an MLP after the attention (CAE off, V-JEPA on). */
  queries: number;
  mlp: boolean;
  /** Attentive probe: blocks in the head (CAE and V-JEPA 1; V-JEPA 2's 4-block probe: depth − 1 self-attention blocks, then the cross-attention). */
  depth: number;
  /** k-NN: neighbours and softmax temperature of the vote. */
  k: number;
  temperature: number;
  /** Seed of the probe head init and the data order. */
  seed: number;
  /** Images per encoder forward pass while extracting features. */
  extractBatch: number;
  /** Use only the first N images of a split (0 = all); for quick looks, not for reported numbers. */
  maxTrain: number;
  maxTest: number;
  /** Fraction of the train split held out (seeded) to choose hyper-parameters on; 0 = none (the papers' protocol). */
  valFraction: number;
}

type NumKey = Exclude<keyof ProbeConfig, 'kind' | 'features' | 'mlp'>;

interface NumField {
  int: boolean;
  min: number;
  max?: number;
  /** min itself is not allowed. */
  exclusive?: boolean;
}

const NUM_FIELDS: Record<NumKey, NumField> = {
  epochs: { int: true, min: 1 },
  warmupEpochs: { int: true, min: 0 },
  batchSize: { int: true, min: 2 }, // BatchNorm needs ≥ 2 samples
  lr: { int: false, min: 0, exclusive: true },
  momentum: { int: false, min: 0, max: 0.999 },
  weightDecay: { int: false, min: 0 },
  heads: { int: true, min: 0 },
  queries: { int: true, min: 1 },
  depth: { int: true, min: 1 },
  k: { int: true, min: 1 },
  temperature: { int: false, min: 0, exclusive: true },
  seed: { int: true, min: 0 },
  extractBatch: { int: true, min: 1 },
  maxTrain: { int: true, min: 0 },
  maxTest: { int: true, min: 0 },
  valFraction: { int: false, min: 0, max: 0.9 },
};

export const PROBE_KEYS: readonly string[] = ['features', 'mlp', ...Object.keys(NUM_FIELDS)];

const COMMON = {
  features: 'mean' as PooledFeatures, // CAE/MAE encoders barely train cls at small scale; the patch mean is the stronger default
  warmupEpochs: 0, batchSize: 256, momentum: 0.9, weightDecay: 0, heads: 0, queries: 1, mlp: false, depth: 1, k: 20, temperature: 0.07, seed: 0,
  extractBatch: 200, maxTrain: 0, maxTest: 0, valFraction: 0,
};

/** The validation split `--grid` holds out when probe.valFraction is not set. */
export const GRID_VAL_FRACTION = 0.1;

/** Defaults per kind. Linear: MAE's protocol on cached features (SGD here; LARS only matters at 16k batches). */
export function defaultProbeConfig(kind: ProbeKind): ProbeConfig {
  switch (kind) {
    case 'linear': return { ...COMMON, kind, epochs: 90, warmupEpochs: 10, lr: 0.1 }; // MAE: 90 epochs, 10 warmup
    // The zero-init query starts at uniform attention, a slow saddle: at lr 0.03/0.1/0.3 the probe of one
    // pretrained demo encoder reached 26.5/36.6/45.3 % after 30 epochs (loss spikes early at 0.3, then recovers).
    case 'attentive': return { ...COMMON, kind, epochs: 30, warmupEpochs: 5, lr: 0.3 };
    case 'knn': return { ...COMMON, kind, epochs: 0, lr: 0 }; // no training
  }
}

function describe(f: NumField): string {
  const lo = f.exclusive ? `> ${f.min}` : `≥ ${f.min}`;
  return `${f.int ? 'an integer' : 'a number'} ${lo}${f.max !== undefined ? ` and ≤ ${f.max}` : ''}`;
}

function parseValue(key: string, text: string): PooledFeatures | number | boolean {
  if (key === 'features') {
    if (text === 'cls' || text === 'mean') return text;
    throw new ConfigError(`probe.features: expected cls or mean, got "${text}"`);
  }
  if (key === 'mlp') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new ConfigError(`probe.mlp: expected true or false, got "${text}"`);
  }
  const f = NUM_FIELDS[key as NumKey];
  const n = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(n) && (!f.int || Number.isInteger(n))
    && (f.exclusive ? n > f.min : n >= f.min) && (f.max === undefined || n <= f.max);
  if (!ok) throw new ConfigError(`probe.${key}: expected ${describe(f)}, got "${text}"`);
  return n;
}

/** Applies `probe.key=value` strings (as given to --set) to the defaults of `kind`. */
export function resolveProbeConfig(kind: string, sets: readonly string[]): ProbeConfig {
  if (!(PROBE_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`--kind must be one of ${PROBE_KINDS.join(', ')}, got "${kind}"`);
  }
  const cfg: ProbeConfig = defaultProbeConfig(kind as ProbeKind);
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${s}"`);
    const full = s.slice(0, eq).trim();
    if (!full.startsWith('probe.')) {
      throw new ConfigError(`probe: --set ${full} is not a probe setting (probe settings are probe.<key>; the run's config is fixed)`);
    }
    const key = full.slice('probe.'.length);
    if (!PROBE_KEYS.includes(key)) throw new ConfigError(`unknown probe setting "${full}" (known: ${PROBE_KEYS.map((k) => `probe.${k}`).join(', ')})`);
    (cfg as unknown as Record<string, unknown>)[key] = parseValue(key, s.slice(eq + 1));
  }
  return validateProbeConfig(cfg);
}

/** Cross-field checks; the per-field ones run when a value is parsed. */
export function validateProbeConfig(c: ProbeConfig): ProbeConfig {
  if (c.kind !== 'knn' && c.warmupEpochs >= c.epochs) {
    throw new ConfigError(`probe.warmupEpochs (${c.warmupEpochs}) must be smaller than probe.epochs (${c.epochs})`);
  }
  return c;
}
