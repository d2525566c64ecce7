// Builds the compare panel's snapshot from run folders: curves, probe results and the config values that differ.
import { join } from 'node:path';
import { engineLabel, RUN_FILES } from '../protocol/run-files';
import type { CompareRun } from '../protocol/webview';
import { rowsToColumns } from './metrics-tail';
import { readAllMetrics, readJson, readRunSummary } from './run-reader';

const KEY_FIELDS = ['algorithm', 'preset', 'loss.alignWeight', 'train.lr', 'train.steps', 'train.batchSize', 'mask.kind', 'mask.count', 'model.layerScale', 'model.dim', 'model.depth'];

function get(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const k of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function buildCompareRuns(runDirs: readonly string[], isLiveRun: (runDir: string) => boolean): CompareRun[] {
  return runDirs.map((runDir) => {
    const s = readRunSummary(runDir, isLiveRun(runDir));
    const config = readJson<Record<string, unknown>>(join(runDir, RUN_FILES.config));
    const keyConfig: Record<string, string> = {};
    for (const k of KEY_FIELDS) {
      const v = get(config, k);
      if (v !== undefined) keyConfig[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return {
      runId: s.runId, runDir, algorithm: s.algorithm, preset: s.preset, engine: engineLabel(s.status, config?.engine), displayState: s.displayState,
      step: s.status?.step ?? 0, totalSteps: s.status?.totalSteps ?? 0,
      metrics: rowsToColumns(readAllMetrics(runDir)), probes: s.probes, keyConfig,
    };
  });
}
