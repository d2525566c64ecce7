// MNIST-family IDX files (MNIST, Fashion-MNIST, KMNIST …): validated fully at open time, since a
// truncated download must fail before training rather than at step 5,000.
import { candidateDirs, findFile, readWhole } from './files';
import { DatasetError, type Dataset, type RawImage, type Split } from './types';

const UBYTE = 0x08;

interface IdxArray {
  dims: number[];
  /** The payload after the header. */
  data: Buffer;
}

/** Parses and checks an IDX file: magic, element type, rank, and that the length matches the header. */
export function parseIdx(file: string, buf: Buffer, rank: number[]): IdxArray {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new DatasetError(`${file}: not an IDX file (bad magic number)`);
  if (buf[2] !== UBYTE) throw new DatasetError(`${file}: IDX element type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`);
  const ndim = buf[3];
  if (!rank.includes(ndim)) throw new DatasetError(`${file}: IDX rank ${ndim}, expected ${rank.join(' or ')}`);
  const header = 4 + 4 * ndim;
  if (buf.length < header) throw new DatasetError(`${file}: truncated header, expected ${header} bytes but the file has ${buf.length}`);
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  if (dims.slice(1).some((d) => d === 0)) throw new DatasetError(`${file}: IDX header has a zero dimension (${dims.join('×')})`);
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== expected) {
    const what = buf.length < expected ? 'truncated' : 'longer than its header says';
    throw new DatasetError(`${file}: ${what}: expected ${expected} bytes for ${dims.join('×')}, got ${buf.length}${file.endsWith('.gz') ? ' (after gunzip)' : ''}`);
  }
  return { dims, data: buf.subarray(header) };
}

class IdxSplit implements Split {
  readonly length: number;
  private readonly pixels: number;

  constructor(private readonly images: Buffer, private readonly labels: Buffer, private readonly w: number, private readonly h: number, private readonly c: number) {
    this.length = labels.length;
    this.pixels = w * h * c;
  }

  label(i: number): number {
    return this.labels[i];
  }

  async read(i: number): Promise<RawImage> {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`idx: index ${i} outside [0, ${this.length})`);
    // A copy, so a consumer can never alias (and keep alive) the whole file.
    const data = Uint8Array.from(this.images.subarray(i * this.pixels, (i + 1) * this.pixels));
    return { width: this.w, height: this.h, channels: this.c, data };
  }
}

const NAMES = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
};

function openSplit(dirs: string[], root: string, imageNames: string[], labelNames: string[]): { split: IdxSplit; w: number; h: number; c: number; maxLabel: number } {
  const imgFile = findFile(dirs, imageNames);
  const labFile = findFile(dirs, labelNames);
  if (!imgFile) throw new DatasetError(`idx: ${imageNames[0]} (or .gz / ${imageNames[1]}) not found in ${root}`);
  if (!labFile) throw new DatasetError(`idx: ${labelNames[0]} (or .gz / ${labelNames[1]}) not found in ${root}`);
  const img = parseIdx(imgFile, readWhole(imgFile), [3, 4]);
  const lab = parseIdx(labFile, readWhole(labFile), [1]);
  const [n, h, w, c = 1] = img.dims;
  if (c !== 1 && c !== 3) throw new DatasetError(`${imgFile}: ${c} channels per pixel, expected 1 or 3`);
  if (lab.dims[0] !== n) throw new DatasetError(`idx: ${imgFile} has ${n} images but ${labFile} has ${lab.dims[0]} labels`);
  if (n === 0) throw new DatasetError(`${imgFile}: no images`);
  let maxLabel = 0;
  for (const v of lab.data) maxLabel = Math.max(maxLabel, v);
  return { split: new IdxSplit(img.data, lab.data, w, h, c), w, h, c, maxLabel };
}

/** Opens `<root>/{train,t10k}-{images,labels}-idx{3,1}-ubyte[.gz]` (also in `<root>/raw`). */
export function openIdx(root: string): Dataset {
  const dirs = candidateDirs(root, ['raw']);
  const train = openSplit(dirs, root, NAMES.trainImages, NAMES.trainLabels);
  const test = openSplit(dirs, root, NAMES.testImages, NAMES.testLabels);
  if (train.w !== test.w || train.h !== test.h || train.c !== test.c) {
    throw new DatasetError(`idx: train images are ${train.w}×${train.h}×${train.c} but test images are ${test.w}×${test.h}×${test.c} in ${root}`);
  }
  const classes = Math.max(train.maxLabel, test.maxLabel) + 1;
  return {
    name: `idx:${root}`,
    train: train.split,
    test: test.split,
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    channels: train.c,
    nativeSize: { width: train.w, height: train.h },
  };
}
