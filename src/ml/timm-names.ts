// The encoder's parameters under timm's VisionTransformer names and layouts (timm/models/vision_transformer.py),
// so `mim-lab export --names timm` gives a state dict that timm's ViT loads. Ours → timm:
//   patchEmbed.w [p·p·C, D] (rows ordered (y, x, c) like patchify) → patch_embed.proj.weight [D, C, p, p] (a Conv2d)
//   patchEmbed.b → patch_embed.proj.bias · cls [D] → cls_token [1, 1, D]
//   (fixed 2-D sin-cos positions, not a parameter here) → pos_embed [1, 1 + N, D] with the cls row zero
//   blocks.i.norm1/norm2/norm .g/.b → .weight/.bias · gamma1/gamma2 → ls1.gamma/ls2.gamma
//   every dense .w [in, out] (attn.qkv, attn.proj, mlp.fc1, mlp.fc2) → .weight [out, in] (nn.Linear), .b → .bias
// timm splits qkv's output as (3, heads, head_dim), which is how selfAttention reads it too.
import type { Tensor32 } from '../util/safetensors';
import { get2dSincosPosEmbed } from './posembed';

export interface EncoderGeometry {
  patchSize: number;
  channels: number;
  /** Patches per side. */
  grid: number;
  dim: number;
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** [p·p·C, D] with row (y·p + x)·C + c  →  [D, C, p, p] (toConv), or back. */
function permutePatchWeight(w: Float32Array, g: EncoderGeometry, toConv: boolean): Float32Array {
  const { patchSize: p, channels: C, dim: D } = g;
  const out = new Float32Array(w.length);
  for (let y = 0; y < p; y++) for (let x = 0; x < p; x++) for (let c = 0; c < C; c++) {
    const row = (y * p + x) * C + c;
    for (let d = 0; d < D; d++) {
      const ours = row * D + d;
      const conv = ((d * C + c) * p + y) * p + x;
      if (toConv) out[conv] = w[ours];
      else out[ours] = w[conv];
    }
  }
  return out;
}

/** Suffix renames that need no layout change. */
const RENAMES: [RegExp, string][] = [
  [/\.gamma1$/, '.ls1.gamma'],
  [/\.gamma2$/, '.ls2.gamma'],
  [/\.g$/, '.weight'],
  [/\.b$/, '.bias'],
];

function renamed(name: string): string {
  for (const [re, to] of RENAMES) if (re.test(name)) return name.replace(re, to);
  throw new Error(`no timm name for encoder parameter "${name}"`);
}

/** The encoder's arrays (names without the `encoder.` prefix) → timm's state dict, pos_embed included. */
export function toTimm(encoder: readonly Tensor32[], g: EncoderGeometry): Tensor32[] {
  const out: Tensor32[] = [];
  for (const a of encoder) {
    if (a.name === 'patchEmbed.w') out.push({ name: 'patch_embed.proj.weight', shape: [g.dim, g.channels, g.patchSize, g.patchSize], data: permutePatchWeight(a.data, g, true) });
    else if (a.name === 'patchEmbed.b') out.push({ name: 'patch_embed.proj.bias', shape: a.shape, data: a.data });
    else if (a.name === 'cls') out.push({ name: 'cls_token', shape: [1, 1, g.dim], data: a.data });
    else if (a.name.endsWith('.w') && a.shape.length === 2) {
      out.push({ name: a.name.replace(/\.w$/, '.weight'), shape: [a.shape[1], a.shape[0]], data: transpose2d(a.data, a.shape[0], a.shape[1]) });
    } else out.push({ name: renamed(a.name), shape: a.shape, data: a.data });
  }
  out.push({ name: 'pos_embed', shape: [1, 1 + g.grid * g.grid, g.dim], data: get2dSincosPosEmbed(g.dim, g.grid, g.grid, true) });
  return out;
}

/** Inverse of toTimm (pos_embed, which is fixed, is dropped). */
export function fromTimm(timm: readonly Tensor32[], g: EncoderGeometry): Tensor32[] {
  const out: Tensor32[] = [];
  for (const t of timm) {
    if (t.name === 'pos_embed') continue;
    if (t.name === 'patch_embed.proj.weight') out.push({ name: 'patchEmbed.w', shape: [g.patchSize * g.patchSize * g.channels, g.dim], data: permutePatchWeight(t.data, g, false) });
    else if (t.name === 'patch_embed.proj.bias') out.push({ name: 'patchEmbed.b', shape: t.shape, data: t.data });
    else if (t.name === 'cls_token') out.push({ name: 'cls', shape: [g.dim], data: t.data });
    else if (t.name.endsWith('.weight') && t.shape.length === 2) {
      out.push({ name: t.name.replace(/\.weight$/, '.w'), shape: [t.shape[1], t.shape[0]], data: transpose2d(t.data, t.shape[0], t.shape[1]) });
    } else {
      const name = t.name.replace(/\.ls1\.gamma$/, '.gamma1').replace(/\.ls2\.gamma$/, '.gamma2').replace(/\.weight$/, '.g').replace(/\.bias$/, '.b');
      out.push({ name, shape: t.shape, data: t.data });
    }
  }
  return out;
}
