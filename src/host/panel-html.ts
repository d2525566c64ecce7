// The HTML shell of every MIM Lab webview: strict CSP (no network, scripts only with this load's nonce),
// one stylesheet and one script from the built webview assets. No vscode import, so it is unit-tested.
import { escapeHtml } from '../util/html';
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  /** `data-panel` on <body>: tests and styles tell panels apart by it. */
  panel: PanelKind;
}

export type PanelKind = 'run' | 'compare' | 'experiments';

/** The built script of each panel (dist/webview/). */
export const PANEL_SCRIPTS: Record<PanelKind, string> = { run: 'run-panel.js', compare: 'compare-panel.js', experiments: 'experiments.js' };

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body data-panel="${o.panel}">
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
