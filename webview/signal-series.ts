// The collapse chart's series, shared by the run panel and the report: latent_std, data2vec's target_var /
// pred_var (std-like, same axis) and RankMe on the right axis (logged every monitor.rankEvery steps, so sparse).
import type { SeriesSpec } from './chart';

export function collapseSeries(cae: boolean): SeriesSpec[] {
  return [
    { id: 'latent_std', label: cae ? 'latent_std (collapse signal)' : 'latent_std', color: 'red' },
    ...(cae ? [
      { id: 'target_var', label: 'target_var', color: 'orange', dashed: true },
      { id: 'pred_var', label: 'pred_var', color: 'green', dashed: true },
    ] : []),
    { id: 'rank_me', label: 'rank_me (RankMe)', color: 'purple', axis: 'y1', sparse: true, exact: true },
  ];
}
