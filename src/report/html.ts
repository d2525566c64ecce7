// report.html: one self-contained page. Data, script and styles are inline; images are data: URIs; a strict CSP
// (no default source, the script allowed by its hash, connect-src 'none') makes "no network" a property of the
// page, not only of our code. Opened in VS Code, the extension adds its own nonce-based CSP on top.
import { escapeHtml } from '../util/html';
import { createHash } from 'node:crypto';
import { REPORT_DATA_ELEMENT, type ReportData } from '../protocol/report-data';

// The panels' stylesheet uses only --vscode-* variables. Outside VS Code nobody sets them, so the report brings
// light and dark defaults; inside a webview VS Code's own values (inline on <html>) take precedence.
const THEME_DEFAULTS = `
:root {
  --vscode-foreground: #1f2328; --vscode-editor-background: #ffffff; --vscode-descriptionForeground: #59636e;
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", sans-serif; --vscode-font-size: 14px;
  --vscode-editor-font-family: ui-monospace, Menlo, Consolas, monospace; --vscode-editor-font-size: 12px;
  --vscode-editorWidget-border: #d0d7de; --vscode-editorWidget-background: #f6f8fa;
  --vscode-badge-background: #59636e; --vscode-badge-foreground: #ffffff;
  --vscode-charts-blue: #1f6feb; --vscode-charts-red: #cf222e; --vscode-charts-green: #1a7f37;
  --vscode-charts-yellow: #9a6700; --vscode-charts-orange: #bc4c00; --vscode-charts-purple: #8250df;
  --vscode-errorForeground: #cf222e; --vscode-editorWarning-foreground: #9a6700; --vscode-textLink-foreground: #0969da;
  --vscode-button-background: #1f6feb; --vscode-button-foreground: #ffffff;
  --vscode-button-secondaryBackground: #eaeef2; --vscode-button-secondaryForeground: #1f2328;
  --vscode-dropdown-background: #ffffff; --vscode-dropdown-foreground: #1f2328; --vscode-dropdown-border: #d0d7de;
  --vscode-focusBorder: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --vscode-foreground: #cccccc; --vscode-editor-background: #1e1e1e; --vscode-descriptionForeground: #9d9d9d;
    --vscode-editorWidget-border: #454545; --vscode-editorWidget-background: #252526;
    --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185;
    --vscode-charts-yellow: #cca700; --vscode-charts-orange: #d18616; --vscode-charts-purple: #b180d7;
    --vscode-errorForeground: #f14c4c; --vscode-editorWarning-foreground: #cca700; --vscode-textLink-foreground: #3794ff;
    --vscode-button-secondaryBackground: #3a3d41; --vscode-button-secondaryForeground: #cccccc;
    --vscode-dropdown-background: #3c3c3c; --vscode-dropdown-foreground: #cccccc; --vscode-dropdown-border: #3c3c3c;
  }
}`;

const REPORT_CSS = `
.report-meta { font-size: 0.9em; }
.probe-attention { margin-top: 10px; }
.probe-attention img { image-rendering: pixelated; max-width: 100%; display: block; margin: 4px 0 10px; }
.notes { font-size: 0.9em; }
footer { margin-top: 24px; font-size: 0.85em; }`;

/** JSON that cannot end its <script> element early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function scriptHash(script: string): string {
  return `sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}`;
}

export function renderReportHtml(data: ReportData, script: string, panelCss: string): string {
  // "</script" inside the bundle would close the element; "<\/script" is the same string to JavaScript.
  const js = script.replace(/<\/script/gi, '<\\/script');
  const csp = [
    "default-src 'none'", 'img-src data:', "style-src 'unsafe-inline'", `script-src '${scriptHash(js)}'`,
    "connect-src 'none'", "font-src 'none'", "frame-src 'none'", "worker-src 'none'", "base-uri 'none'", "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>MIM Lab report · ${escapeHtml(data.runId)}</title>
<style>${THEME_DEFAULTS}
${panelCss}
${REPORT_CSS}</style>
</head>
<body data-panel="report">
<main id="app"><noscript>This report needs JavaScript to draw its charts and images.</noscript></main>
<script type="application/json" id="${REPORT_DATA_ELEMENT}">${jsonForScript(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}
