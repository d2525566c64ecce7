// The webview side of the VS Code bridge. UI code calls these named functions, never postMessage inline.

interface VsCodeApi<S> {
  postMessage(msg: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export interface Bridge<ToHost, S> {
  post(msg: ToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}

let api: VsCodeApi<unknown> | undefined;

/** acquireVsCodeApi may be called once per page; every module shares this bridge. */
export function bridge<ToHost, S>(): Bridge<ToHost, S> {
  api = api ?? acquireVsCodeApi<unknown>();
  const a = api;
  return {
    post: (msg) => a.postMessage(msg),
    getState: () => a.getState() as S | undefined,
    setState: (s) => a.setState(s),
  };
}

/** Reports uncaught errors to the host log (and keeps them in the console for tests). */
export function reportErrors(post: (msg: { type: 'webview-error'; message: string }) => void): void {
  window.addEventListener('error', (e) => post({ type: 'webview-error', message: `${e.message} at ${e.filename}:${e.lineno}` }));
  window.addEventListener('unhandledrejection', (e) => post({ type: 'webview-error', message: `unhandled rejection: ${String(e.reason)}` }));
}
