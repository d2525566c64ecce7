// Which Node runs the trainer: the `mimLab.nodePath` setting, else `node` on PATH, else the editor's own
// runtime with ELECTRON_RUN_AS_NODE=1 (enough for the pure-JS/WASM backends). DESIGN.md §1.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface NodeRuntime {
  execPath: string;
  /** Extra environment for the child. */
  env: Record<string, string>;
  source: 'setting' | 'path' | 'editor';
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable on a PATH string. */
export function findOnPath(name: string, pathVar: string | undefined, exts: readonly string[] = process.platform === 'win32' ? ['.exe', '.cmd', ''] : ['']): string | null {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (isExecutable(p)) return p;
    }
  }
  return null;
}

export function resolveNodeRuntime(setting: string, pathVar = process.env.PATH, editorExecPath = process.execPath): NodeRuntime {
  const s = setting.trim();
  if (s) {
    const p = isAbsolute(s) ? s : findOnPath(s, pathVar);
    if (!p || !isExecutable(p)) throw new Error(`mimLab.nodePath "${s}" is not an executable file`);
    return { execPath: p, env: {}, source: 'setting' };
  }
  const onPath = findOnPath('node', pathVar);
  if (onPath) return { execPath: onPath, env: {}, source: 'path' };
  return { execPath: editorExecPath, env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'editor' };
}
