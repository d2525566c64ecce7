// The run panel's header, config and probe cells: plain DOM from the RunView, buttons send intents.
import { displayConfigValue } from '../src/protocol/config-fields';
import { engineLabel, type ProbeKind } from '../src/protocol/run-files';
import type { ProbeView, RunView } from '../src/protocol/webview';
import { probeKindLabel, randomInitFloors } from '../src/protocol/probe-scores';
import { clear, fmtNum, fmtPct, h } from './dom';
import { headNote, scoreCell } from './probe-score';

export interface HeaderActions {
  stop(): void;
  resume(): void;
  reveal(): void;
  probe(kind: ProbeKind): void;
}

const PROBE_LABELS: Record<ProbeKind, string> = { linear: 'Linear probe', attentive: 'Attentive probe', knn: 'k-NN probe' };

export function renderHeader(el: HTMLElement, run: RunView, act: HeaderActions): void {
  clear(el);
  const s = run.status;
  const algo = (s?.algorithm ?? String(run.config?.algorithm ?? '?')).toUpperCase();
  const preset = String(run.config?.preset ?? '');
  const facts = [algo, preset, s ? `engine ${engineLabel(s, run.config?.engine)}` : '', s ? `step ${s.step}/${s.totalSteps}` : '', s ? `epoch ${s.epoch}` : '', s ? `checkpoint ${s.checkpointStep}` : '']
    .filter(Boolean).join(' · ');
  const button = (label: string, enabled: boolean, onclick: () => void, id: string, title?: string): HTMLButtonElement =>
    h('button', { id, type: 'button', disabled: !enabled, title, onclick }, label);
  el.append(
    h('div', { className: 'title-row' },
      h('h1', {}, run.runId),
      h('span', { className: `badge state-${run.displayState}`, id: 'state-badge' }, run.displayState)),
    h('p', { className: 'muted' }, facts),
    h('div', { className: 'actions' },
      button('Stop', run.actions.stop, act.stop, 'btn-stop', 'Ask the trainer to checkpoint and stop'),
      button('Resume', run.actions.resume, act.resume, 'btn-resume', 'Continue from the last checkpoint'),
      ...(['linear', 'attentive', 'knn'] as ProbeKind[]).map((k) => button(PROBE_LABELS[k], run.actions.probe, () => act.probe(k), `btn-probe-${k}`, 'Evaluate the frozen encoder of the latest checkpoint')),
      button('Reveal folder', true, act.reveal, 'btn-reveal')),
  );
  if (run.actions.disabledReason) el.append(h('p', { className: 'notice' }, run.actions.disabledReason));
  if (run.displayState === 'interrupted') el.append(h('p', { className: 'notice' }, 'status.json says running, but no trainer process is alive: the run was interrupted. Resume continues from its last checkpoint.'));
  if (s?.error) el.append(h('p', { className: 'error', id: 'run-error' }, s.error));
  for (const w of s?.warnings ?? []) el.append(h('p', { className: 'warning' }, w));
}

const CONFIG_KEYS = [
  'algorithm', 'preset', 'engine', 'data.dataset', 'data.imageSize', 'model.patchSize', 'model.dim', 'model.depth', 'model.heads', 'model.layerScale',
  'model.regressorDepth', 'model.decoderDepth', 'mask.kind', 'mask.count', 'loss.alignWeight', 'loss.target', 'loss.normPix',
  'train.steps', 'train.batchSize', 'train.lr', 'train.warmupSteps', 'train.weightDecay', 'train.seed', 'monitor.collapseStd',
];

export function configValue(config: Record<string, unknown> | null, dotted: string): unknown {
  let cur: unknown = config;
  for (const k of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function renderConfig(el: HTMLElement, config: Record<string, unknown> | null): void {
  clear(el);
  if (!config) {
    el.append(h('p', { className: 'muted' }, 'config.json not written yet.'));
    return;
  }
  const shown = (k: string): string => displayConfigValue(k, configValue(config, k), config.algorithm);
  const rows = CONFIG_KEYS.filter((k) => configValue(config, k) !== undefined);
  el.append(
    h('details', { id: 'config-details' },
      h('summary', {}, `Config: ${String(config.algorithm ?? '').toUpperCase()} ${String(config.preset ?? '')}, ${shown('train.steps')} steps, λ ${shown('loss.alignWeight')}, lr ${shown('train.lr')}`),
      h('dl', { className: 'kv-grid' }, ...rows.map((k) => h('div', {}, h('dt', {}, k), h('dd', {}, shown(k))))),
      h('details', {}, h('summary', {}, 'Full config.json'), h('pre', {}, JSON.stringify(config, null, 2)))),
  );
}

export function renderProbes(el: HTMLElement, probes: readonly ProbeView[]): void {
  clear(el);
  if (!probes.length) {
    el.append(h('p', { className: 'muted' }, 'No probes yet. Run one to evaluate the frozen encoder (linear, attentive, k-NN).'));
    return;
  }
  const floors = randomInitFloors(probes);
  const row = (p: ProbeView): HTMLTableRowElement => h('tr', { 'data-probe-id': p.id, 'data-probe-kind': p.kind, 'data-probe-state': p.state, 'data-top1': p.state === 'done' && p.top1 !== null ? p.top1 : undefined },
    h('td', {}, `${probeKindLabel(p.kind)}${p.pixels ? ' (pixels)' : p.randomInit ? ' (random init)' : ''}`, ...headNote(p.head)),
    h('td', {}, p.state === 'running' && p.kind !== 'knn' ? `running ${p.epoch}/${p.epochs || '?'}` : p.state),
    scoreCell(p.top1, { numClasses: p.numClasses, floor: p.randomInit || p.pixels || p.kind === 'unknown' ? undefined : floors[p.kind] }),
    h('td', { className: 'num' }, fmtPct(p.top5)),
    h('td', { className: 'num' }, p.checkpointStep ?? '–'),
    // k-NN trains nothing: it has no epochs.
    h('td', { className: 'num' }, p.kind === 'knn' ? '–' : fmtNum(p.epochs, 3)),
    h('td', { className: 'muted' }, p.id));
  el.append(h('table', { className: 'data', id: 'probe-table' },
    h('thead', {}, h('tr', {}, ...['probe', 'state', 'top-1', 'top-5', 'checkpoint', 'epochs', 'id'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...probes.map(row))));
}
