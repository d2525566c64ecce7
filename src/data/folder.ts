// ImageNet-style folders: root/{train,val|test}/<class>/*.{png,jpg,jpeg}. Opening only lists directories
// (1.28M ImageNet files list in seconds); images are decoded lazily, on worker threads (src/data/decode-pool.ts).
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ReadLimiter } from './files';
import { decodeOffThread } from './decode-pool';
import { peekImageInfo } from './png';
import { CorruptImageError, DatasetError, type Dataset, type RawImage, type Split } from './types';

const IMAGE_EXT = /\.(png|jpe?g)$/i;
const reads = new ReadLimiter(64);

function isDir(parent: string, e: Dirent): boolean {
  return e.isDirectory() || (e.isSymbolicLink() && statSync(join(parent, e.name)).isDirectory());
}

function isFile(parent: string, e: Dirent): boolean {
  return e.isFile() || (e.isSymbolicLink() && statSync(join(parent, e.name)).isFile());
}

function sortedEntries(dir: string): Dirent[] {
  try {
    // Code-unit order, not locale order, so the class → label map is the same on every machine.
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw new DatasetError(`folder: cannot list ${dir} (${e instanceof Error ? e.message : String(e)})`);
  }
}

export class FolderSplit implements Split {
  readonly length: number;

  constructor(
    readonly dir: string,
    private readonly dirs: string[],
    private readonly names: string[],
    private readonly dirOf: Int32Array,
    private readonly labels: Int32Array,
  ) {
    this.length = names.length;
  }

  label(i: number): number {
    return this.labels[i];
  }

  file(i: number): string {
    return join(this.dirs[this.dirOf[i]], this.names[i]);
  }

  async read(i: number): Promise<RawImage> {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`folder: index ${i} outside [0, ${this.length})`);
    return decodeOffThread(await this.readBytes(i), this.file(i));
  }

  private async readBytes(i: number): Promise<Buffer> {
    const file = this.file(i);
    try {
      return await reads.read(file);
    } catch (e) {
      // A file that vanished or cannot be read is skipped like a corrupt one, not fatal mid-run.
      throw new CorruptImageError(file, e instanceof Error ? e.message : String(e));
    }
  }
}

/** Lists one split; `classIndex` maps class folder names to labels (built from train). */
function listSplit(dir: string, classIndex: Map<string, number>, allowNewClasses: boolean): FolderSplit {
  const dirs: string[] = [];
  const names: string[] = [];
  const dirOf: number[] = [];
  const labels: number[] = [];
  for (const e of sortedEntries(dir)) {
    if (!isDir(dir, e)) continue;
    let label = classIndex.get(e.name);
    if (label === undefined) {
      if (!allowNewClasses) throw new DatasetError(`folder: class '${e.name}' in ${dir} has no folder in the train split`);
      label = classIndex.size;
      classIndex.set(e.name, label);
    }
    const classDir = join(dir, e.name);
    const d = dirs.push(classDir) - 1;
    for (const f of sortedEntries(classDir)) {
      if (!IMAGE_EXT.test(f.name) || !isFile(classDir, f)) continue;
      names.push(f.name);
      dirOf.push(d);
      labels.push(label);
    }
  }
  if (dirs.length === 0) throw new DatasetError(`folder: no class sub-folders in ${dir} (expected ${dir}/<class>/*.png|jpg)`);
  if (names.length === 0) throw new DatasetError(`folder: no .png/.jpg/.jpeg images in the class folders of ${dir}`);
  return new FolderSplit(dir, dirs, names, Int32Array.from(dirOf), Int32Array.from(labels));
}

/** Header of the first train image (no decode), for the dataset's stored channel count. */
function peekChannels(file: string): number {
  const head = Buffer.alloc(64 * 1024);
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    return peekImageInfo(head.subarray(0, n))?.channels ?? 3;
  } finally {
    closeSync(fd);
  }
}

export function openFolder(root: string): Dataset {
  const trainDir = join(root, 'train');
  if (!existsSync(trainDir) || !statSync(trainDir).isDirectory()) throw new DatasetError(`folder: no train folder at ${trainDir}`);
  const testDir = ['val', 'test'].map((n) => join(root, n)).find((d) => existsSync(d) && statSync(d).isDirectory());
  if (!testDir) throw new DatasetError(`folder: no evaluation split, expected ${join(root, 'val')} or ${join(root, 'test')}`);
  const classIndex = new Map<string, number>();
  const train = listSplit(trainDir, classIndex, true);
  const test = listSplit(testDir, classIndex, false);
  return {
    name: `folder:${root}`,
    train,
    test,
    classNames: [...classIndex.keys()],
    channels: peekChannels(train.file(0)),
    nativeSize: null,
  };
}
