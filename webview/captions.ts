// What the reconstruction and attention views show, in one place for the run panel and the report.
import { h } from './dom';

export function reconstructionCaption(): HTMLElement {
  return h('p', { className: 'muted caption', id: 'recon-caption' },
    'Fixed test images. masked input: the visible patches the encoder sees (masked ones grey). Prediction views show only the predicted (masked) patches; '
    + 'visible ones are dark grey. pred. + visible: the prediction pasted into the visible patches. encoder → decoder: the encoder sees all patches and its '
    + 'outputs for the masked ones go straight to the decoder, regressor removed; it still reconstructs when encoder and regressor share one latent space.');
}

export function attentionCaption(): HTMLElement {
  return h('p', { className: 'muted caption', id: 'attention-caption' },
    'Encoder [cls] → patch attention (encoder on all patches) and the regressor cross-attention of one masked query (outlined). '
    + 'Rows are renormalised over patches (the cls key is dropped).');
}
