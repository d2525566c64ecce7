// Layout of `samples/<step>/` (DESIGN.md §5): PNGs for people, `sample.json` + raw arrays for programs.

/** Folder name of the samples written at a step, e.g. `samples/000100`. */
export function sampleDirName(step: number): string {
  return String(step).padStart(6, '0');
}

/** Column names of a reconstruction strip, in order (MAE has the first four). */
export const RECON_VIEWS = ['original', 'masked', 'prediction', 'pasted', 'encoder-decode'] as const;
export type ReconView = (typeof RECON_VIEWS)[number];

export interface AttentionMapRef {
  layer: number;
  /** Head index, or 'avg' for the head average. */
  head: number | 'avg';
  /** PNG overlay grid: one tile per sample image. */
  png: string;
}

/** `samples/<step>/sample.json`. */
export interface SampleManifest {
  step: number;
  algorithm: 'cae' | 'mae';
  imageSize: number;
  patchSize: number;
  /** Patch grid [rows, cols]. */
  grid: [number, number];
  /** Test-split indices and labels of the fixed sample batch. */
  indices: number[];
  labels: number[];
  views: ReconView[];
  /** Whole batch as one PNG: a row per image, a column per view. */
  reconstruction: string;
  /** One PNG strip per image. */
  strips: string[];
  /** Masked patch indices per image (1 = masked convention; indices into the grid, row-major). */
  masked: number[][];
  encoderAttention: {
    layers: number;
    heads: number;
    /** cls→patch attention, JSON file: number[image][layer][head + avg][patch]; each row sums to 1. */
    data: string;
    maps: AttentionMapRef[];
  };
  /** Regressor cross-attention from one masked query to all keys (CAE only). */
  regressorAttention: {
    /** Which masked patch (grid index) the query is, per image. */
    query: number[];
    /** JSON file: number[image][layer][key], keys = visible patches then masked queries, per row sums to 1. */
    data: string;
    maps: AttentionMapRef[];
  } | null;
}
