// Image file codecs shared by the folder reader and the diagnostics writers (samples, data inspect).
// PNG through pngjs' sync API, JPEG through jpeg-js; both pure JS so they run in every runtime.
import { PNG, type ColorType } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { CorruptImageError, type RawImage } from './types';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_MAGIC.every((v, i) => b[i] === v);
}

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

const COLOR_TYPE: Record<number, ColorType> = { 1: 0, 3: 2, 4: 6 };

/** Encodes 8-bit channels-last pixels (1 gray, 3 RGB, 4 RGBA) as a PNG file. */
export function encodePng(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Buffer {
  if (data.length !== width * height * channels) {
    throw new Error(`encodePng: ${data.length} bytes for ${width}x${height}x${channels}`);
  }
  const colorType = COLOR_TYPE[channels];
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4, deflateLevel: 6 });
}

/** Width, height and stored channels read from the file header only (no decoding); null if unknown. */
export function peekImageInfo(b: Uint8Array): { width: number; height: number; channels: number } | null {
  if (isPng(b) && b.length >= 26) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const colorType = b[25];
    const channels = colorType === 0 || colorType === 4 ? 1 : 3;
    return { width: dv.getUint32(16), height: dv.getUint32(20), channels };
  }
  if (isJpeg(b)) {
    // Walk the marker segments to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC).
    let p = 2;
    while (p + 9 < b.length) {
      if (b[p] !== 0xff) return null;
      const marker = b[p + 1];
      if (marker === 0xff) { p++; continue; }
      const len = (b[p + 2] << 8) | b[p + 3];
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: (b[p + 5] << 8) | b[p + 6], width: (b[p + 7] << 8) | b[p + 8], channels: b[p + 9] === 1 ? 1 : 3 };
      }
      p += 2 + len;
    }
  }
  return null;
}

/** Drops alpha by compositing on black; keeps gray as one channel. */
function fromRgba(rgba: Uint8Array, width: number, height: number, gray: boolean, alpha: boolean): RawImage {
  const n = width * height;
  const c = gray ? 1 : 3;
  const out = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) {
    const a = alpha ? rgba[i * 4 + 3] : 255;
    for (let k = 0; k < c; k++) {
      const v = rgba[i * 4 + k];
      out[i * c + k] = a === 255 ? v : Math.round((v * a) / 255);
    }
  }
  return { width, height, channels: c, data: out };
}

/** Decodes a PNG or JPEG (chosen by magic bytes) to 1 or 3 channels; alpha is composited on black. */
export function decodeImage(buffer: Uint8Array, fileName: string): RawImage {
  const buf = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  try {
    if (isPng(buf)) {
      // pngjs always hands back 8-bit RGBA (16-bit and palettes are rescaled/expanded for us).
      const png = PNG.sync.read(buf);
      const gray = png.colorType === 0 || png.colorType === 4;
      return fromRgba(png.data, png.width, png.height, gray, png.alpha || png.palette);
    }
    if (isJpeg(buf)) {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
      const info = peekImageInfo(buf);
      if (info?.channels === 1) {
        const n = img.width * img.height;
        const g = new Uint8Array(n);
        for (let i = 0; i < n; i++) g[i] = img.data[i * 3];
        return { width: img.width, height: img.height, channels: 1, data: g };
      }
      return { width: img.width, height: img.height, channels: 3, data: img.data };
    }
  } catch (e) {
    throw new CorruptImageError(fileName, e instanceof Error ? e.message : String(e));
  }
  throw new CorruptImageError(fileName, 'not a PNG or JPEG file');
}

/** Tiles images row-major into one image (gray is promoted to RGB when mixed), `pad` pixels of `fill` between. */
export function imageGrid(images: RawImage[], cols: number, pad: number, fill = 255): RawImage {
  if (images.length === 0) return { width: 1, height: 1, channels: 1, data: new Uint8Array([fill]) };
  const c = images.some((im) => im.channels >= 3) ? 3 : 1;
  const cw = Math.max(...images.map((im) => im.width));
  const ch = Math.max(...images.map((im) => im.height));
  cols = Math.max(1, Math.min(cols, images.length));
  const rows = Math.ceil(images.length / cols);
  const width = cols * cw + (cols + 1) * pad;
  const height = rows * ch + (rows + 1) * pad;
  const data = new Uint8Array(width * height * c).fill(fill);
  images.forEach((im, t) => {
    const x0 = pad + (t % cols) * (cw + pad);
    const y0 = pad + Math.floor(t / cols) * (ch + pad);
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        const src = (y * im.width + x) * im.channels;
        const dst = ((y0 + y) * width + x0 + x) * c;
        for (let k = 0; k < c; k++) data[dst + k] = im.data[src + (im.channels === 1 ? 0 : k)];
      }
    }
  });
  return { width, height, channels: c, data };
}
