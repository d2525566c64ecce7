// Maps a model (all its parameter stores) and its optimizer to/from the flat named arrays of a checkpoint.
import type { MimModel } from '../ml/model';
import { allStores } from '../ml/model';
import type { AdamW } from '../ml/optimizer';
import type { NamedArray, ParamStore } from '../ml/params';

const OPT_PREFIX = 'optimizer.';

export async function exportState(model: MimModel, opt: AdamW | null): Promise<{ arrays: NamedArray[]; optimizerT: number }> {
  const arrays: NamedArray[] = [];
  for (const [storeName, store] of Object.entries(allStores(model))) {
    for (const a of await store.export()) arrays.push({ ...a, name: `${storeName}.${a.name}` });
  }
  if (!opt) return { arrays, optimizerT: 0 };
  const o = await opt.exportState();
  for (const a of o.arrays) arrays.push({ ...a, name: OPT_PREFIX + a.name });
  return { arrays, optimizerT: o.t };
}

/** The arrays of one store, with the store prefix removed. */
export function storeArrays(arrays: NamedArray[], storeName: string): NamedArray[] {
  const prefix = `${storeName}.`;
  return arrays.filter((a) => a.name.startsWith(prefix)).map((a) => ({ ...a, name: a.name.slice(prefix.length) }));
}

export function importStore(store: ParamStore, arrays: NamedArray[], storeName: string, what: string): void {
  store.import(storeArrays(arrays, storeName), `${what} (${storeName})`);
}

export function importState(model: MimModel, opt: AdamW | null, arrays: NamedArray[], optimizerT: number, what: string): void {
  for (const [storeName, store] of Object.entries(allStores(model))) importStore(store, arrays, storeName, what);
  if (opt) opt.importState({ t: optimizerT, arrays: storeArrays(arrays, 'optimizer') });
}
