// A probe's top-1 cell with its context: the chance level (1 / classes) and, for a pretrained encoder, the
// random-init floor of the same architecture, so 8 % never reads as a result. Used by the run panel, compare and report.
import { attentiveHeadText, chanceLevel, scoreContext } from '../src/protocol/probe-scores';
import type { AttentiveHeadShape } from '../src/protocol/run-files';
import { fmtPct, h } from './dom';

export interface ScoreContext {
  numClasses?: number | null;
  /** Best random-init top-1 of the same kind and architecture (pretrained rows only). */
  floor?: number;
  best?: boolean;
}

export function scoreCell(top1: number | null, ctx: ScoreContext, attrs: Record<string, string> = {}): HTMLTableCellElement {
  const chance = chanceLevel(ctx.numClasses);
  const below = top1 !== null && chance !== null && top1 <= chance;
  const context = scoreContext(ctx.numClasses, ctx.floor, fmtPct).join(' · ');
  return h('td', {
    ...attrs,
    className: ['num', ctx.best ? 'best' : '', below ? 'below-chance' : ''].filter(Boolean).join(' '),
    'data-chance': chance ?? undefined,
    title: below ? `at or below chance (${fmtPct(chance)}): the encoder's features carry no class information for this probe` : undefined,
  }, fmtPct(top1), top1 !== null && context ? h('span', { className: 'score-context' }, context) : null);
}

/** An attentive probe's head beside its name (" · 2 blocks, 1 query, MLP"); nothing for other probes. */
export function headNote(head: AttentiveHeadShape | undefined): HTMLElement[] {
  const text = attentiveHeadText(head);
  return text ? [h('span', { className: 'muted probe-head' }, ` · ${text}`)] : [];
}
