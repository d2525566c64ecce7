// What `mim-lab report` embeds in report.html for webview/report.ts to render (types only: both sides import it).
import type { ProbeResult, RunStatus } from './run-files';
import type { ProbeAttentionManifest } from './samples';
import type { MetricColumns, SampleData } from './webview';

export const REPORT_DATA_VERSION = 1;
/** Id of the `<script type="application/json">` element that carries the ReportData. */
export const REPORT_DATA_ELEMENT = 'report-data';

export interface ReportProbe {
  id: string;
  /** `probes/<id>/result.json`, or null while a probe runs (or after it failed). */
  result: ProbeResult | null;
  /** The attentive probe's query attention (probes/<id>/attention/), PNG names replaced by data: URIs. */
  attention: ProbeAttentionManifest | null;
}

export interface ReportData {
  version: typeof REPORT_DATA_VERSION;
  runId: string;
  generatedAt: string;
  config: Record<string, unknown> | null;
  status: RunStatus | null;
  /** `metrics.jsonl` as columns (thinned evenly for very long runs; see `notes`). */
  metrics: MetricColumns;
  /** Every sample step on disk, and the embedded ones (all of them, or an even selection with first and last). */
  sampleSteps: number[];
  samples: SampleData[];
  probes: ReportProbe[];
  /** What the report left out or could not read, shown at the top. */
  notes: string[];
}
