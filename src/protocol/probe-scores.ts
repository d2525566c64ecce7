// What a probe score means: the chance level of its task (1 / classes), the random-init floor, which score is
// "best", and one spelling for each probe kind. Shared by the tree, the panels, the report and the CLI.
import type { AttentiveHeadShape, ProbeKind } from './run-files';

const KIND_LABELS: Record<ProbeKind, string> = { linear: 'linear', attentive: 'attentive', knn: 'k-NN' };

/** "linear", "attentive", "k-NN" (the folder and `--kind` name stays `knn`). */
export function probeKindLabel(kind: ProbeKind | 'unknown'): string {
  return kind === 'unknown' ? 'unknown' : KIND_LABELS[kind];
}

/**
 * "1 block, 1 query" (CAE's head), "4 blocks, 16 queries, MLP": what an attentive probe trained, from a result's
 * `head`; null when there is none (other kinds, results written before probe.depth) or it is malformed.
 */
export function attentiveHeadText(x: AttentiveHeadShape | undefined): string | null {
  if (!x || typeof x !== 'object') return null;
  const h = x as Partial<AttentiveHeadShape>;
  if (!Number.isInteger(h.depth) || !Number.isInteger(h.queries) || typeof h.mlp !== 'boolean') return null;
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return [plural(h.depth as number, 'block', 'blocks'), plural(h.queries as number, 'query', 'queries'), ...(h.mlp ? ['MLP'] : [])].join(', ');
}

/**
 * The head's text when it is not CAE's (1 block, 1 query, no MLP), else null: tables that put scores side by side
 * name such a head beside its score, since scores of different heads are not one probe.
 */
export function otherHeadText(x: AttentiveHeadShape | undefined): string | null {
  return x && (x.depth !== 1 || x.queries !== 1 || x.mlp) ? attentiveHeadText(x) ?? '?' : null;
}

/** Top-1 of guessing: 1 / classes, or null when the class count is unknown. */
export function chanceLevel(numClasses: number | null | undefined): number | null {
  return typeof numClasses === 'number' && numClasses > 0 ? 1 / numClasses : null;
}

/** What a score is to be read against: ["chance 10.0%", "random init 21.0%"] (the floor only where there is one). */
export function scoreContext(numClasses: number | null | undefined, floor: number | undefined, pct: (x: number) => string): string[] {
  const chance = chanceLevel(numClasses);
  return [...(chance !== null ? [`chance ${pct(chance)}`] : []), ...(floor !== undefined ? [`random init ${pct(floor)}`] : [])];
}

/** Whether a score beats guessing (true when the chance level is unknown). */
export function aboveChance(top1: number, numClasses: number | null | undefined): boolean {
  const chance = chanceLevel(numClasses);
  return chance === null || top1 > chance;
}

export interface Score {
  top1: number | null;
  numClasses?: number | null;
}

/** The index of the best score among several, or -1: only scores above chance qualify, and only when there is a choice. */
export function bestScoreIndex(scores: readonly Score[]): number {
  let best = -1;
  scores.forEach((s, i) => {
    if (s.top1 === null || !aboveChance(s.top1, s.numClasses)) return;
    if (best < 0 || s.top1 > (scores[best].top1 ?? -1)) best = i;
  });
  return scores.filter((s) => s.top1 !== null).length > 1 ? best : -1;
}

export interface ProbeLike {
  kind: ProbeKind | 'unknown';
  top1: number | null;
  randomInit: boolean;
  state?: string;
}

/** The best random-init top-1 per kind among finished probes: the floor a pretrained encoder must beat. */
export function randomInitFloors(probes: readonly ProbeLike[]): Partial<Record<ProbeKind, number>> {
  const floors: Partial<Record<ProbeKind, number>> = {};
  for (const p of probes) {
    if (!p.randomInit || p.kind === 'unknown' || p.top1 === null || (p.state !== undefined && p.state !== 'done')) continue;
    floors[p.kind] = Math.max(floors[p.kind] ?? -Infinity, p.top1);
  }
  return floors;
}
