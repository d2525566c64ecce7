// Inputs people get wrong, written once per test file: datasets that cannot serve a job, folders that are not
// runs, broken config files. Every path the bad-input table uses is a field of BadInputFixtures.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/config/resolve';
import type { Config } from '../../../src/config/schema';
import { encodePng } from '../../../src/data/png';
import { tempDir } from '../../helpers/runs';
import { PYTHON } from '../torch/python';

export interface BadInputFixtures {
  root: string;
  /** A file where folders are expected. */
  aFile: string;
  /** Image folders: every file corrupt; class folders without images; one class; no val split; a val class not in train. */
  corruptImages: string;
  noImages: string;
  oneClass: string;
  noVal: string;
  strayValClass: string;
  /** An IDX folder whose files are garbage. */
  badIdx: string;
  /** Folders given as runs: empty; config.json not JSON; config.json an array; an unknown key; a valid run with no checkpoint. */
  notARun: string;
  brokenJsonRun: string;
  arrayConfigRun: string;
  unknownKeyRun: string;
  runWithoutCheckpoint: string;
  /** A run whose status.json says running, with the pid of a live process (the test's own). */
  liveRun: string;
  /** Valid runs (no checkpoint: probed with --random-init) on the one-class and the all-corrupt folders. */
  oneClassRun: string;
  corruptImagesRun: string;
  /** --config files: not JSON, not an object, a mistyped key. */
  brokenJsonConfig: string;
  arrayConfig: string;
  mistypedConfig: string;
  /** A real Python that cannot import torch on any machine: the torch tests' interpreter started isolated (-I)
   *  and without site-packages (-S), where every install of torch lives. */
  torchlessPython: string;
}

function png(file: string, seed: number): void {
  const data = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 29 + seed * 53) % 256);
  writeFileSync(file, encodePng(data, 8, 8, 3));
}

/** root/<split>/<class>/<n>.png for each [split, class, count, write] */
function imageFolder(root: string, files: [string, string, number, (file: string, i: number) => void][]): string {
  for (const [split, cls, count, write] of files) {
    const dir = join(root, split, cls);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < count; i++) write(join(dir, `${i}.png`), i);
  }
  return root;
}

const garbage = (file: string): void => writeFileSync(file, 'not an image');

function textFile(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

function folder(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

function run(dir: string, config: unknown): string {
  textFile(join(folder(dir), 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return dir;
}

function liveRun(dir: string): string {
  textFile(join(dir, 'status.json'), JSON.stringify({ state: 'running', kind: 'pretrain', step: 3, pid: process.pid }));
  return dir;
}

function torchlessPython(file: string): string {
  textFile(file, `#!/bin/sh\nexec '${PYTHON}' -I -S "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

export function makeBadInputFixtures(): BadInputFixtures {
  const root = tempDir('bad-input');
  const aFile = textFile(join(root, 'a-file.txt'), 'just a file\n');
  const corruptImages = imageFolder(join(root, 'corrupt-images'), [['train', 'cat', 3, garbage], ['train', 'dog', 3, garbage], ['val', 'cat', 2, garbage], ['val', 'dog', 2, garbage]]);
  const noImages = imageFolder(join(root, 'no-images'), [['train', 'cat', 0, png], ['val', 'cat', 1, png]]);
  const oneClass = imageFolder(join(root, 'one-class'), [['train', 'cat', 4, png], ['val', 'cat', 2, png]]);
  const noVal = imageFolder(join(root, 'no-val'), [['train', 'cat', 2, png], ['train', 'dog', 2, png]]);
  const strayValClass = imageFolder(join(root, 'stray-val-class'), [['train', 'cat', 2, png], ['val', 'cat', 1, png], ['val', 'bird', 1, png]]);
  const badIdx = folder(join(root, 'bad-idx'));
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) textFile(join(badIdx, f), 'garbage');
  const tiny = (sets: string[] = []): Config => resolveConfig({ preset: 'cae-tiny', sets });
  const folderRun = (name: string, path: string): string => run(join(root, 'runs', name), tiny(['data.dataset=folder', `data.path=${path}`, 'data.imageSize=8', 'model.patchSize=4', 'mask.count=2']));
  return {
    root, aFile, corruptImages, noImages, oneClass, noVal, strayValClass, badIdx,
    notARun: folder(join(root, 'runs', 'not-a-run')),
    brokenJsonRun: run(join(root, 'runs', 'broken-json'), '{"algorithm": "cae",'),
    arrayConfigRun: run(join(root, 'runs', 'array-config'), '[1, 2]'),
    unknownKeyRun: run(join(root, 'runs', 'unknown-key'), { ...tiny(), train: { ...tiny().train, stepz: 3 } }),
    runWithoutCheckpoint: run(join(root, 'runs', 'no-checkpoint'), tiny()),
    liveRun: liveRun(run(join(root, 'runs', 'live'), tiny())),
    oneClassRun: folderRun('one-class', oneClass),
    corruptImagesRun: folderRun('corrupt-images', corruptImages),
    brokenJsonConfig: textFile(join(root, 'broken.mimlab.json'), '{ "train": '),
    arrayConfig: textFile(join(root, 'array.mimlab.json'), '[]'),
    mistypedConfig: textFile(join(root, 'mistyped.mimlab.json'), JSON.stringify({ train: { steps: 'ten' } })),
    torchlessPython: torchlessPython(join(root, 'python-without-torch')),
  };
}
