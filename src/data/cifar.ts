// CIFAR-10 / CIFAR-100 binary versions. Records are <label bytes><1024 R><1024 G><1024 B> (32×32, planar),
// CIFAR-100 has <coarse><fine> label bytes and we use the fine label.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { candidateDirs, readWhole } from './files';
import { DatasetError, type Dataset, type RawImage, type Split } from './types';

const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

interface Layout {
  labelBytes: number;
  /** Offset of the label we keep inside the label bytes. */
  labelAt: number;
  classes: number;
  train: (files: string[]) => string[];
  test: string;
  namesFile: string;
  subfolder: string;
}

const LAYOUTS: Record<'cifar10' | 'cifar100', Layout> = {
  cifar10: {
    labelBytes: 1, labelAt: 0, classes: 10, test: 'test_batch.bin', namesFile: 'batches.meta.txt', subfolder: 'cifar-10-batches-bin',
    train: (files) => files.filter((f) => /^data_batch_\d+\.bin$/.test(f)).sort((a, b) => parseInt(a.slice(11), 10) - parseInt(b.slice(11), 10)),
  },
  cifar100: {
    labelBytes: 2, labelAt: 1, classes: 100, test: 'test.bin', namesFile: 'fine_label_names.txt', subfolder: 'cifar-100-binary',
    train: (files) => files.filter((f) => f === 'train.bin'),
  },
};

class CifarSplit implements Split {
  readonly length: number;
  /** Cumulative record counts, for locating image i among the batch files. */
  private readonly starts: number[] = [];

  constructor(private readonly files: Buffer[], private readonly layout: Layout) {
    let n = 0;
    for (const f of files) {
      this.starts.push(n);
      n += f.length / (layout.labelBytes + PIXELS);
    }
    this.length = n;
  }

  private locate(i: number): { buf: Buffer; off: number } {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`cifar: index ${i} outside [0, ${this.length})`);
    let f = this.starts.length - 1;
    while (this.starts[f] > i) f--;
    return { buf: this.files[f], off: (i - this.starts[f]) * (this.layout.labelBytes + PIXELS) };
  }

  label(i: number): number {
    const { buf, off } = this.locate(i);
    return buf[off + this.layout.labelAt];
  }

  async read(i: number): Promise<RawImage> {
    const { buf, off } = this.locate(i);
    const src = off + this.layout.labelBytes;
    const data = new Uint8Array(PIXELS);
    const plane = SIDE * SIDE;
    for (let p = 0; p < plane; p++) {
      data[p * 3] = buf[src + p];
      data[p * 3 + 1] = buf[src + plane + p];
      data[p * 3 + 2] = buf[src + 2 * plane + p];
    }
    return { width: SIDE, height: SIDE, channels: 3, data };
  }
}

function loadFile(file: string, layout: Layout): Buffer {
  const buf = readWhole(file);
  const record = layout.labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % record !== 0) {
    throw new DatasetError(`${file}: ${buf.length} bytes is not a whole number of ${record}-byte records (truncated or not a CIFAR binary file)`);
  }
  for (let off = layout.labelAt; off < buf.length; off += record) {
    if (buf[off] >= layout.classes) throw new DatasetError(`${file}: label ${buf[off]} at record ${(off - layout.labelAt) / record} is not below ${layout.classes}`);
  }
  return buf;
}

function classNames(dir: string, layout: Layout): string[] {
  const file = join(dir, layout.namesFile);
  if (existsSync(file)) {
    const names = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === layout.classes) return names;
  }
  return layout.classes === 10 ? [...CIFAR10_NAMES] : Array.from({ length: layout.classes }, (_, i) => String(i));
}

/** Opens the binary CIFAR files in `root` or in its standard extracted subfolder. */
export function openCifar(root: string, kind: 'cifar10' | 'cifar100'): Dataset {
  const layout = LAYOUTS[kind];
  const dir = candidateDirs(root, [layout.subfolder]).find((d) => existsSync(join(d, layout.test)));
  if (!dir) throw new DatasetError(`${kind}: ${layout.test} not found in ${root} or ${join(root, layout.subfolder)}`);
  const trainFiles = layout.train(readdirSync(dir));
  if (trainFiles.length === 0) {
    throw new DatasetError(`${kind}: no training file (${kind === 'cifar10' ? 'data_batch_1.bin …' : 'train.bin'}) in ${dir}`);
  }
  return {
    name: `${kind}:${root}`,
    train: new CifarSplit(trainFiles.map((f) => loadFile(join(dir, f), layout)), layout),
    test: new CifarSplit([loadFile(join(dir, layout.test), layout)], layout),
    classNames: classNames(dir, layout),
    channels: 3,
    nativeSize: { width: SIDE, height: SIDE },
  };
}
