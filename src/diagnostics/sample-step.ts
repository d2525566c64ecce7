// One sample step: run the model in evaluation on the fixed batch, then turn the numbers into the files of
// `samples/<step>/` (layout in src/protocol/samples.ts). Returns the files in memory; writing is separate.
import { encodePng, imageGrid } from '../data/png';
import type { RawImage } from '../data/types';
import { buildInputs, disposeInputs } from '../ml/inputs';
import type { MimModel } from '../ml/model';
import { gridSide } from '../ml/patches';
import type { AttentionMapRef, SampleManifest } from '../protocol/samples';
import { chooseQuery, headRows, keyPatches, rounded, toGridOrder } from './attention';
import { composeViews, displayScale, TILE_PAD } from './display';
import { upscale } from '../data/pixels';
import { evalForward, type EvalOutputs } from './eval-forward';
import { attentionOverlay } from './heatmap';
import type { SampleBatch } from './sample-batch';
import { tokenSampleParts, type SampleTokenizer } from './token-samples';

export interface SampleFiles {
  manifest: SampleManifest;
  /** File name → contents (PNG bytes or JSON text), manifest included. */
  files: Map<string, Uint8Array | string>;
  /** Attention rows in grid order, exactly as rendered (tests check they sum to 1). */
  encoderRows: Float64Array[][][];
  regressorRows: Float64Array[][];
}

/** `tokens`: the run's tokenizer and the sample batch's codes, required when the model predicts tokens. */
export async function computeSample(model: MimModel, batch: SampleBatch, step: number, tokens?: SampleTokenizer): Promise<SampleFiles> {
  const spec = model.spec;
  const g = spec.geometry;
  const side = gridSide(g);
  const { masks } = batch;
  const B = masks.B;
  const inp = buildInputs(batch.images, masks, g, spec.normPix); // no drop-path draw: evaluation
  const queries = Array.from({ length: B }, (_, b) => chooseQuery(masks.masked.subarray(b * masks.Nm, (b + 1) * masks.Nm), side));
  let out: EvalOutputs;
  try {
    out = await evalForward(model, inp, queries);
  } finally {
    disposeInputs(inp);
  }
  const scale = displayScale(g.imageSize);
  // Token targets: the head outputs logits; the views show predicted tokens decoded by the tokenizer (src/tokenizer).
  if (spec.vocabSize > 0 && !tokens) throw new Error('samples of a token-target run need its tokenizer');
  const tok = spec.vocabSize > 0 && tokens
    ? await tokenSampleParts(tokens, masks.masked, out.prediction, out.encoderDecode, g, { images: batch.images, norm: batch.norm }, { scale, pad: TILE_PAD }) : null;
  const { views, images } = composeViews({
    images: batch.images, batch: B, geometry: g, maskIdx: masks.masked, nMask: masks.Nm,
    prediction: tok ? tok.prediction : out.prediction, encoderDecode: tok ? tok.encoderDecode : out.encoderDecode,
    normPix: tok ? false : spec.normPix, norm: batch.norm,
  });
  const files = new Map<string, Uint8Array | string>(tok?.files ?? []);
  const png = (name: string, img: RawImage): string => {
    files.set(name, encodePng(img.data, img.width, img.height, img.channels as 1 | 3));
    return name;
  };
  // Machine-friendly grid (1×, no padding: tile (b, v) at x = v·S, y = b·S) and upscaled strips for people.
  png('reconstruction.png', imageGrid(Array.from({ length: B }, (_, b) => views.map((_, v) => images[v][b])).flat(), views.length, 0));
  const strips = Array.from({ length: B }, (_, b) => png(`strip-${b}.png`, imageGrid(views.map((_, v) => upscale(images[v][b], scale)), views.length, TILE_PAD)));

  const keys = Array.from({ length: B }, (_, b) => keyPatches(masks.visible, masks.masked, b, masks.Nv, masks.Nm));
  const originals = images[0];
  const overlayRow = (rows: Float64Array[], outline?: number[]): RawImage => imageGrid(
    rows.map((r, b) => attentionOverlay(originals[b], r, { grid: side, scale, outline: outline?.[b] })), B, TILE_PAD);

  // Encoder cls → patches: token order → grid order, per image, layer, head (+avg).
  const heads = spec.encoder.heads;
  const encTok = headRows(out.encoderCls, { batch: B, heads, keys: 1 + spec.numPatches });
  const encoderRows = encTok.map((layers, b) => layers.map((hs) => hs.map((r) => toGridOrder(r, keys[b]))));
  const encMaps: AttentionMapRef[] = [];
  for (let l = 0; l < spec.encoder.depth; l++) {
    for (let h = 0; h <= heads; h++) {
      const head = h === heads ? 'avg' : h;
      encMaps.push({ layer: l, head, png: png(`attn-l${l}-h${head}.png`, overlayRow(encoderRows.map((im) => im[l][h]))) });
    }
  }
  files.set('encoder-attention.json', JSON.stringify(encoderRows.map((im) => im.map((hs) => hs.map(rounded)))));

  // Regressor: the chosen masked query's head-averaged row; saved in key order, drawn in grid order.
  let regressorAttention: SampleManifest['regressorAttention'] = null;
  let regressorRows: Float64Array[][] = [];
  if (out.regressor.length > 0) {
    const regTok = headRows(out.regressor, { batch: B, heads, keys: 1 + spec.numPatches }).map((layers) => layers.map((hs) => hs[heads]));
    regressorRows = regTok.map((layers, b) => layers.map((r) => toGridOrder(r, keys[b])));
    const query = queries.map((q, b) => masks.masked[b * masks.Nm + q]);
    const maps = regTok[0].map((_, l): AttentionMapRef => ({
      layer: l, head: 'avg', png: png(`regressor-l${l}-havg.png`, overlayRow(regressorRows.map((im) => im[l]), query)),
    }));
    files.set('regressor-attention.json', JSON.stringify(regTok.map((layers) => layers.map(rounded))));
    regressorAttention = { query, data: 'regressor-attention.json', keys, maps };
  }

  const manifest: SampleManifest = {
    step, algorithm: spec.algorithm, imageSize: g.imageSize, patchSize: g.patchSize, grid: [side, side],
    indices: batch.indices, labels: batch.labels, views, reconstruction: 'reconstruction.png', strips,
    masked: Array.from({ length: B }, (_, b) => Array.from(masks.masked.subarray(b * masks.Nm, (b + 1) * masks.Nm))),
    display: { scale, pad: TILE_PAD },
    encoderAttention: { layers: spec.encoder.depth, heads, data: 'encoder-attention.json', maps: encMaps },
    regressorAttention,
    ...(tok ? { tokens: tok.manifest } : {}),
  };
  return { manifest, files, encoderRows, regressorRows };
}
