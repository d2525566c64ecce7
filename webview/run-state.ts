// The run panel's model: a snapshot plus numbered deltas. Pure, so it is tested against recorded message logs.
import { METRIC_KEYS, type HostToRunPanel, type MetricColumns, type RunDelta, type RunView } from '../src/protocol/webview';

export interface RunModel {
  seq: number;
  run: RunView;
  metrics: MetricColumns;
}

export type ApplyResult =
  | { kind: 'snapshot'; model: RunModel }
  | { kind: 'delta'; model: RunModel; delta: RunDelta }
  /** A delta arrived out of order (or before any snapshot): ask the host for a snapshot. */
  | { kind: 'resync'; lastSeq: number }
  | { kind: 'ignored' };

export function applyMessage(model: RunModel | null, msg: HostToRunPanel): ApplyResult {
  switch (msg.type) {
    case 'snapshot':
      return { kind: 'snapshot', model: { seq: msg.seq, run: msg.snapshot.run, metrics: msg.snapshot.metrics } };
    case 'delta': {
      if (!model) return { kind: 'resync', lastSeq: 0 };
      if (msg.seq <= model.seq) return { kind: 'ignored' };
      if (msg.seq !== model.seq + 1) return { kind: 'resync', lastSeq: model.seq };
      const metrics = model.metrics;
      if (msg.delta.metrics) {
        for (const k of METRIC_KEYS) {
          const dst = metrics[k];
          for (const v of msg.delta.metrics[k] ?? []) dst.push(v);
        }
      }
      const run = msg.delta.run ? { ...model.run, ...msg.delta.run } : model.run;
      return { kind: 'delta', model: { seq: msg.seq, run, metrics }, delta: msg.delta };
    }
    default:
      return { kind: 'ignored' };
  }
}
