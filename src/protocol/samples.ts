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
  /**
   * Layout of the PNGs for people (strips and attention maps): each tile is imageSize·scale pixels, with `pad`
   * white pixels around and between tiles. `reconstruction.png` is always 1×, no padding. Absent = 1×, no pad.
   */
  display?: { scale: number; pad: number };
  /** Milliseconds spent computing and writing this sample (for the sampling-overhead budget). */
  elapsedMs?: number;
  encoderAttention: {
    layers: number;
    heads: number;
    /**
     * cls→patch attention of the encoder run on all patches, JSON file: number[image][layer][head + avg][patch],
     * patches in grid order. The cls→cls weight is dropped and the rest renormalised, so each row sums to 1;
     * `avg` is the mean of the renormalised head rows.
     */
    data: string;
    maps: AttentionMapRef[];
  };
  /** Token targets only: the predicted codes and how many match the tokenizer's, per image. */
  tokens?: SampleTokens;
  /** Regressor cross-attention from one masked query to all keys (CAE only). */
  regressorAttention: {
    /** Which masked patch (grid index) the query is, per image. */
    query: number[];
    /**
     * JSON file: number[image][layer][key], keys = visible patches then masked queries, per row sums to 1
     * (the cls key is dropped and each head's row renormalised, then heads are averaged).
     */
    data: string;
    /** Grid index of each key, per image (the order used in `data`); absent in older samples. */
    keys?: number[][];
    maps: AttentionMapRef[];
  } | null;
}

/** Folder of an attentive probe's attention maps, inside `probes/<id>/`. */
export const PROBE_ATTENTION_DIR = 'attention';
/** The overlays' manifest inside PROBE_ATTENTION_DIR. */
export const PROBE_ATTENTION_MANIFEST = 'attention.json';

/** `probes/<id>/attention/attention.json`: the probe query's attention over patches for the sample batch. */
export interface ProbeAttentionManifest {
  probeId: string;
  imageSize: number;
  patchSize: number;
  grid: [number, number];
  /** Test-split indices and labels of the images (the run's fixed sample batch). */
  indices: number[];
  labels: number[];
  heads: number;
  /**
   * number[image][head + avg][patch], patches in grid order. A cls key, if the probe attends to one, is dropped
   * and the patch weights renormalised, so each row sums to 1; `avg` is the mean of the head rows.
   */
  data: number[][][];
  /** PNG overlays, one tile per image (layout as `SampleManifest.display`). */
  maps: { head: number | 'avg'; png: string }[];
  display: { scale: number; pad: number };
}

/**
 * `SampleManifest.tokens`. With token targets the prediction views show the predicted codes decoded by the
 * tokenizer's decoder (visible patches keep their true codes); without a decoder they are grey.
 */
export interface SampleTokens {
  vocab: number;
  /** Whether the prediction views are decoded tokens (the tokenizer has a decoder). */
  decoded: boolean;
  /** Token accuracy on the masked patches, per image, in [0, 1]. */
  accuracy: number[];
  /** PNG, one tile per image over the patch grid: green = right, red = wrong, dark grey = visible. */
  map: string;
  /** JSON: {codes: number[image][patch], predicted: number[image][masked]} (grid order / masked order). */
  data: string;
}
