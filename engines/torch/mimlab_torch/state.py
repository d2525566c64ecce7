"""Model + optimizer ↔ the flat named arrays of a checkpoint (src/trainer/model-state.ts naming):
`<store>.<param>` for every store, `optimizer.<store>.<param>.m` / `.v` for AdamW's moments."""
import torch

from .model import load_arrays, named_arrays


def trainable_names(model):
    return {p: f'{store}.{n}' for store, m in model.trainable().items() for n, p in m.named_parameters()}


def export_state(model, opt):
    arrays = dict(named_arrays(model))
    t = 0
    for p, name in trainable_names(model).items():
        st = opt.state.get(p, {})
        if 'exp_avg' in st:
            t = int(float(st['step']))
        arrays[f'optimizer.{name}.m'] = st.get('exp_avg', torch.zeros_like(p))
        arrays[f'optimizer.{name}.v'] = st.get('exp_avg_sq', torch.zeros_like(p))
    return arrays, t


def import_state(model, opt, arrays, optimizer_t, what):
    load_arrays(model, arrays, what)
    sd = opt.state_dict()
    index = {id(p): i for i, p in enumerate(p for g in opt.param_groups for p in g['params'])}
    state = {}
    for p, name in trainable_names(model).items():
        m, v = arrays.get(f'optimizer.{name}.m'), arrays.get(f'optimizer.{name}.v')
        if m is None or v is None or m.numel() != p.numel() or v.numel() != p.numel():
            raise ValueError(f'{what}: optimizer state for {name} is missing or has the wrong size')
        state[index[id(p)]] = {'step': torch.tensor(float(optimizer_t)), 'exp_avg': m.reshape(p.shape).to(p.device).clone(),
                               'exp_avg_sq': v.reshape(p.shape).to(p.device).clone()}
    if optimizer_t > 0:
        sd['state'] = state
        opt.load_state_dict(sd)  # torch places `step` where its AdamW variant wants it
