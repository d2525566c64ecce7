// One entry point from a Config to a Dataset. Everything that can make a dataset unusable is checked
// here, before any model is built, and reported as a DatasetError that names the config key and path;
// a few images of each split are decoded (src/data/preflight.ts), so an unreadable folder is refused up front.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema';
import { openCifar } from './cifar';
import { openFolder } from './folder';
import { openIdx } from './idx';
import { requireDecodable } from './preflight';
import { syntheticDataset } from './synthetic';
import { DatasetError, type Dataset } from './types';

export async function openDataset(config: Config): Promise<Dataset> {
  const d = config.data;
  if (d.channels !== 1 && d.channels !== 3) throw new DatasetError(`data.channels must be 1 or 3, got ${d.channels}`);
  if (d.dataset === 'synthetic') {
    return syntheticDataset({ train: d.syntheticTrain, test: d.syntheticTest, size: d.imageSize });
  }
  if (!d.path) throw new DatasetError(`data.path is empty: dataset '${d.dataset}' needs the folder that holds its files`);
  const root = resolve(d.path);
  if (!existsSync(root)) throw new DatasetError(`data.path does not exist: ${root}`);
  const ds = openReader(d.dataset, root);
  if (ds.train.length === 0) throw new DatasetError(`data.path ${root}: the train split is empty`);
  if (ds.test.length === 0) throw new DatasetError(`data.path ${root}: the test split is empty`);
  await requireDecodable(ds.train, ds.train.dir ?? `the train split of ${root}`);
  await requireDecodable(ds.test, ds.test.dir ?? `the test split of ${root}`);
  return ds;
}

function openReader(kind: Exclude<Config['data']['dataset'], 'synthetic'>, root: string): Dataset {
  switch (kind) {
    case 'idx': return openIdx(root);
    case 'cifar10':
    case 'cifar100': return openCifar(root, kind);
    case 'folder': return openFolder(root);
    default: {
      const never: never = kind;
      throw new DatasetError(`data.dataset: unknown kind ${String(never)}`);
    }
  }
}
