// Backend selection (DESIGN.md §6): `auto` tries tensorflow-gpu > tensorflow > wasm > cpu and takes the first
// that loads; the pure-JS cpu backend is ~100× slower than wasm and is never chosen while wasm works.
// webgpu is opt-in only. The chosen backend is reported by the caller (stdout, status.json).
import type { BackendName } from '../config/schema';
import { tf } from './tf';
import { registerWebgpu } from './webgpu-backend';

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Tries to load and activate one backend; resolves false (with the reason) when it is unavailable. */
export type BackendLoader = (name: ConcreteBackend) => Promise<{ ok: true } | { ok: false; reason: string }>;

export interface BackendChoice {
  name: ConcreteBackend;
  /** Why each better backend was skipped. */
  skipped: { name: ConcreteBackend; reason: string }[];
}

/** Pure selection logic over a loader (unit-tested with stand-ins for the native packages). */
export async function chooseBackend(requested: BackendName, load: BackendLoader): Promise<BackendChoice> {
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    const r = await load(name);
    if (r.ok) return { name, skipped };
    skipped.push({ name, reason: r.reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new Error(requested === 'auto' ? `no TF.js backend could be loaded (${detail})` : `backend "${requested}" is not available: ${detail}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function activate(tfName: string): Promise<boolean> {
  const ok = await tf.setBackend(tfName);
  await tf.ready();
  return ok && tf.getBackend() === tfName;
}

/** The real loader: requires optional packages lazily, so a missing native package is just "unavailable". */
export const loadBackend: BackendLoader = async (name) => {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        require('@tensorflow/tfjs-node-gpu');
        break;
      case 'tensorflow':
        require('@tensorflow/tfjs-node');
        break;
      case 'wasm':
        require('@tensorflow/tfjs-backend-wasm');
        break;
      case 'webgpu':
        await registerWebgpu();
        break;
      case 'cpu':
        break;
    }
    const tfName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
    if (!(await activate(tfName))) return { ok: false, reason: 'failed to initialise' };
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: message(err) };
  }
};

export async function initBackend(requested: BackendName): Promise<BackendChoice> {
  return chooseBackend(requested, loadBackend);
}
