// The attentive probe's head as the editor offers it: the settings mimLab.attentiveProbe.depth / .queries / .mlp
// become the probe's `--set probe.*` overrides. Pure (no vscode), so it is tested in plain Node.

export const ATTENTIVE_HEAD_SETTINGS = { depth: 'mimLab.attentiveProbe.depth', queries: 'mimLab.attentiveProbe.queries', mlp: 'mimLab.attentiveProbe.mlp' } as const;

/** The settings' values as read, unchecked (a settings.json can hold anything). */
export interface RawAttentiveHead {
  depth: unknown;
  queries: unknown;
  mlp: unknown;
}

/**
 * The overrides for a probe started from the editor, or an error naming the setting and what it expects.
 * CAE's head (1 block, 1 query, no MLP) adds none, so the probe's own defaults apply.
 */
export function attentiveHeadSets(raw: RawAttentiveHead): { sets: string[] } | { error: string } {
  for (const key of ['depth', 'queries'] as const) {
    const v = raw[key];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) return { error: `${ATTENTIVE_HEAD_SETTINGS[key]}: expected an integer ≥ 1, got ${JSON.stringify(v)}` };
  }
  if (typeof raw.mlp !== 'boolean') return { error: `${ATTENTIVE_HEAD_SETTINGS.mlp}: expected true or false, got ${JSON.stringify(raw.mlp)}` };
  return {
    sets: [
      ...(raw.depth !== 1 ? [`probe.depth=${raw.depth}`] : []),
      ...(raw.queries !== 1 ? [`probe.queries=${raw.queries}`] : []),
      ...(raw.mlp ? ['probe.mlp=true'] : []),
    ],
  };
}
