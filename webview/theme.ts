// Colours and fonts from the VS Code theme (--vscode-* CSS variables), re-read when the theme changes.

export type ChartColor = 'blue' | 'red' | 'green' | 'yellow' | 'orange' | 'purple' | 'foreground';

const FALLBACK: Record<ChartColor, string> = {
  blue: '#3794ff', red: '#f14c4c', green: '#89d185', yellow: '#cca700', orange: '#d18616', purple: '#b180d7', foreground: '#cccccc',
};

export function cssVar(name: string, fallback = ''): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function chartColor(c: ChartColor): string {
  return c === 'foreground' ? cssVar('--vscode-foreground', FALLBACK.foreground) : cssVar(`--vscode-charts-${c}`, FALLBACK[c]);
}

export interface ThemeColors {
  foreground: string;
  muted: string;
  grid: string;
  font: string;
  fontSize: number;
  background: string;
}

export function themeColors(): ThemeColors {
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(cssVar('--vscode-font-size', '13')) || 13,
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
  };
}

/** Adds transparency to a #rgb/#rrggbb colour; leaves other notations unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color.trim());
  if (!m) return color;
  const hex = m[1].length === 3 ? m[1].split('').map((c) => c + c).join('') : m[1];
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255).toString(16).padStart(2, '0');
  return `#${hex}${a}`;
}

/** Calls `fn` when VS Code switches theme (it changes the body's class and style). */
export function onThemeChange(fn: () => void): () => void {
  const obs = new MutationObserver(() => fn());
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  return () => obs.disconnect();
}
