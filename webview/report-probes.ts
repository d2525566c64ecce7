// The report's probe cell: a results table from probes/*/result.json and the attentive probe's query attention.
import type { ReportProbe } from '../src/protocol/report-data';
import { bestScoreIndex, probeKindLabel, randomInitFloors } from '../src/protocol/probe-scores';
import { clear, fmtNum, fmtPct, h } from './dom';
import { headNote, scoreCell } from './probe-score';

export function renderReportProbes(el: HTMLElement, probes: readonly ReportProbe[]): void {
  clear(el);
  if (!probes.length) {
    el.append(h('p', { className: 'muted' }, 'No probes in this run folder (mim-lab probe … evaluates the frozen encoder).'));
    return;
  }
  const results = probes.map((p) => p.result);
  const floors = randomInitFloors(results.filter((r) => r !== null));
  const best = probes[bestScoreIndex(results.map((r) => ({ top1: r?.top1 ?? null, numClasses: r?.numClasses })))];
  const head = ['probe', 'top-1', 'top-5', 'features', 'checkpoint', 'epochs', 'train / test', 'classes', 'finished', 'id'];
  const row = (p: ReportProbe): HTMLTableRowElement => {
    const r = p.result;
    if (!r) return h('tr', { 'data-probe-id': p.id }, h('td', {}, p.id.split('-')[0]), h('td', { colspan: head.length - 2, className: 'muted' }, 'no result.json (running or failed)'), h('td', { className: 'muted' }, p.id));
    return h('tr', { 'data-probe-id': p.id, 'data-top1': r.top1 },
      h('td', {}, `${probeKindLabel(r.kind)}${r.pixels ? ' (pixels)' : r.randomInit ? ' (random init)' : ''}`),
      scoreCell(r.top1, { numClasses: r.numClasses, floor: r.randomInit || r.pixels ? undefined : floors[r.kind], best: p === best }),
      h('td', { className: 'num' }, fmtPct(r.top5)),
      h('td', {}, r.features, ...headNote(r.head)),
      h('td', { className: 'num' }, r.randomInit ? '–' : r.checkpointStep),
      h('td', { className: 'num' }, r.kind === 'knn' ? '–' : fmtNum(r.epochs, 3)),
      h('td', { className: 'num' }, `${r.numTrain} / ${r.numTest}`),
      h('td', { className: 'num' }, r.numClasses),
      h('td', { className: 'muted' }, r.finishedAt.replace('T', ' ').slice(0, 16)),
      h('td', { className: 'muted' }, p.id));
  };
  el.append(h('table', { className: 'data', id: 'probe-table' },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...probes.map(row))));
  for (const p of probes) {
    const a = p.attention;
    if (!a) continue;
    const avg = a.maps.find((m) => m.head === 'avg');
    const box = h('div', { className: 'probe-attention' },
      h('h3', {}, `${p.id}: query attention over patches`),
      h('p', { className: 'muted' }, `Mean over ${a.heads} heads; images ${a.indices.map((i, k) => `#${i} (class ${a.labels[k]})`).join(', ')}. Colours span each map's min…max.`));
    if (avg?.png) box.append(h('img', { src: avg.png, alt: `${p.id} attention, mean of heads` }));
    const perHead = a.maps.filter((m) => m.head !== 'avg' && m.png);
    if (perHead.length) {
      box.append(h('details', {}, h('summary', {}, 'per head'),
        ...perHead.map((m) => h('figure', {}, h('img', { src: m.png, alt: `${p.id} attention, head ${m.head}` }), h('figcaption', { className: 'muted' }, `head ${Number(m.head) + 1}`)))));
    }
    el.append(box);
  }
}
