// `writeReport(runDir, outFile?)`: collect the run folder, inline the report script and styles, write one HTML
// file atomically (default `<runDir>/report.html`). Used by `mim-lab report` and by the demo at its end.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RUN_FILES } from '../protocol/run-files';
import { writeFileAtomic } from '../util/fs-atomic';
import { loadPanelCss, loadReportScript } from './assets';
import { collectReport, type CollectOptions } from './collect';
import { renderReportHtml } from './html';

export interface ReportOptions extends CollectOptions {
  /** The bundled webview/report.ts (default: dist/webview/report.js, or bundled from source). */
  script?: string;
  /** The panels' stylesheet (default: the package's panel.css). */
  css?: string;
}

/** Writes the report and returns its absolute path. */
export async function writeReport(runDir: string, outFile?: string, opts: ReportOptions = {}): Promise<string> {
  const data = await collectReport(runDir, opts);
  const script = opts.script ?? (await loadReportScript());
  const css = opts.css ?? loadPanelCss();
  const out = resolve(outFile ?? join(runDir, RUN_FILES.report));
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, renderReportHtml(data, script, css));
  return out;
}
