#!/usr/bin/env python3
"""PyTorch twin of one MIM Lab training step (CAE or MAE, pixel targets), for `mim-lab bench`.

The bench exports the model's spec, its initial weights and one batch of step inputs to a folder; this script
rebuilds the same model in PyTorch (same parameter names, same op order), prints the first-step loss (which must
match MIM Lab's: proof that it is the same model), then times training steps on command:

    python3 bench/torch_twin.py --dir DIR [--threads T]      (OPENBLAS_NUM_THREADS is read by OpenBLAS at start)
    stdout: {"event": "ready", "loss": ..., "main": ..., "align": ..., "torch": "1.13.1", "threads": T}
    stdin:  "run K"  →  stdout: {"event": "ran", "ms": [K step times]}
    stdin:  "quit"

A step is forward + backward + global-norm clipping + AdamW (decay on weights of rank ≥ 2) + the CAE teacher
update, on a fixed batch. Needs only torch (Debian: apt-get install python3-torch libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F


def load(dir_):
    with open(os.path.join(dir_, 'spec.json')) as f:
        spec = json.load(f)
    blob = open(os.path.join(dir_, 'arrays.bin'), 'rb').read()
    arrays = {}
    for a in spec['arrays']:
        n = math.prod(a['shape']) if a['shape'] else 1
        t = torch.frombuffer(bytearray(blob[a['offset']:a['offset'] + 4 * n]), dtype=torch.float32).reshape(a['shape'])
        arrays[a['name']] = t
    return spec, arrays


class Twin:
    def __init__(self, spec, arrays):
        self.s = spec
        self.params = {}
        self.teacher = {}
        for name, t in arrays.items():
            store, _, rest = name.partition('.')
            if store in ('encoder', 'regressor', 'decoder'):
                self.params[name] = t.clone().requires_grad_(True)
            elif store == 'teacher':
                self.teacher['encoder.' + rest] = t.clone()
        self.inp = {k[len('input.'):]: v for k, v in arrays.items() if k.startswith('input.')}
        self.vis_idx = torch.tensor(spec['visIdx'], dtype=torch.long)
        self.mask_idx = torch.tensor(spec['maskIdx'], dtype=torch.long)
        decay = [p for n, p in self.params.items() if p.dim() >= 2]
        no_decay = [p for n, p in self.params.items() if p.dim() < 2]
        t = spec['train']
        self.opt = torch.optim.AdamW([{'params': decay, 'weight_decay': t['weightDecay']}, {'params': no_decay, 'weight_decay': 0.0}],
                                     lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=1e-8)

    # ---- layers ----------------------------------------------------------------------------------------------
    def p(self, store, name):
        return store[name]

    def ln(self, w, pre, x):
        mean = x.mean(-1, keepdim=True)
        c = x - mean
        var = (c * c).mean(-1, keepdim=True)
        return c * torch.rsqrt(var + 1e-6) * w[pre + '.g'] + w[pre + '.b']

    def lin(self, w, pre, x):
        y = x @ w[pre + '.w']
        b = w.get(pre + '.b')
        return y + b if b is not None else y

    def attention(self, q, k, v, batch, heads):
        mq, d = q.shape
        nq, nk, dh = mq // batch, k.shape[0] // batch, d // heads
        sp = lambda t, n: t.reshape(batch, n, heads, dh).transpose(1, 2)
        scores = (sp(q, nq) * (1 / math.sqrt(dh))) @ sp(k, nk).transpose(-1, -2)
        ctx = scores.softmax(-1) @ sp(v, nk)
        return ctx.transpose(1, 2).reshape(mq, d)

    def residual(self, w, name, x, branch):
        g = w.get(name)
        return x + (branch * g if g is not None else branch)

    def mlp(self, w, pre, x):
        return self.lin(w, pre + '.fc2', F.gelu(self.lin(w, pre + '.fc1', x)))

    def block(self, w, pre, x, batch, heads):
        qkv = self.lin(w, pre + '.attn.qkv', self.ln(w, pre + '.norm1', x))
        q, k, v = qkv.chunk(3, dim=1)
        x = self.residual(w, pre + '.gamma1', x, self.lin(w, pre + '.attn.proj', self.attention(q, k, v, batch, heads)))
        return self.residual(w, pre + '.gamma2', x, self.mlp(w, pre + '.mlp', self.ln(w, pre + '.norm2', x)))

    def cross_block(self, w, pre, xq, pos_q, xkv, pos_k, batch, heads):
        q = self.lin(w, pre + '.attn.q', self.ln(w, pre + '.norm1q', xq + pos_q))
        k = self.lin(w, pre + '.attn.k', self.ln(w, pre + '.norm1k', xkv + pos_k))
        v = self.lin(w, pre + '.attn.v', self.ln(w, pre + '.norm1v', xkv))
        x = self.residual(w, pre + '.gamma1', xq, self.lin(w, pre + '.attn.proj', self.attention(q, k, v, batch, heads)))
        x = self.ln(w, pre + '.norm2', x)
        return self.residual(w, pre + '.gamma2', x, self.mlp(w, pre + '.mlp', x))

    @staticmethod
    def cat_tokens(a, b, batch):
        d = a.shape[1]
        return torch.cat([a.reshape(batch, -1, d), b.reshape(batch, -1, d)], 1).reshape(-1, d)

    def encode(self, w, patches, pos, batch):
        e = self.s['encoder']
        n = patches.shape[0] // batch
        tokens = (self.lin(w, 'encoder.patchEmbed', patches) + pos).reshape(batch, n, e['dim'])
        cls = w['encoder.cls'].reshape(1, 1, -1).expand(batch, 1, e['dim'])
        x = torch.cat([cls, tokens], 1).reshape(batch * (n + 1), e['dim'])
        for i in range(e['depth']):
            x = self.block(w, f'encoder.blocks.{i}', x, batch, e['heads'])
        return self.ln(w, 'encoder.norm', x)

    # ---- the objectives --------------------------------------------------------------------------------------
    def cae_losses(self):
        s, w, inp = self.s, self.params, self.inp
        B, nv, nm, d = s['batch'], s['nVis'], s['nMask'], s['encoder']['dim']
        heads = s['encoder']['heads']
        pos = inp['pos']
        pos_vis, pos_mask = pos[self.vis_idx], pos[self.mask_idx]
        with torch.no_grad():
            zt = self.encode(self.teacher, inp['maskPatches'], pos_mask, B)
            target_latent = zt.reshape(B, nm + 1, d)[:, 1:].reshape(B * nm, d)
        zv = self.encode(w, inp['visPatches'], pos_vis, B)
        pos_k = self.cat_tokens(self.cat_tokens(torch.zeros(B, d), pos_vis, B), pos_mask, B)
        xq = w['regressor.maskToken'].reshape(1, d).expand(B * nm, d)
        for i in range(s['regressorDepth']):
            xkv = self.cat_tokens(zv, xq, B)
            xq = self.cross_block(w, f'regressor.blocks.{i}', xq, pos_mask, xkv, pos_k, B, heads)
        latent_pred = self.ln(w, 'regressor.norm', xq)
        x = latent_pred + pos_mask
        for i in range(s['decoderDepth']):
            x = self.block(w, f'decoder.blocks.{i}', x, B, s['decoder']['heads'])
        pred = self.lin(w, 'decoder.head', self.ln(w, 'decoder.norm', x))
        main = ((pred - inp['target']) ** 2).mean()
        align = ((latent_pred - target_latent) ** 2).mean()
        loss = main + align * s['alignWeight'] if s['alignWeight'] > 0 else main
        return loss, main, align

    def mae_losses(self):
        s, w, inp = self.s, self.params, self.inp
        B, nv, nm = s['batch'], s['nVis'], s['nMask']
        dd = s['decoder']['dim']
        zv = self.encode(w, inp['visPatches'], inp['pos'][self.vis_idx], B)
        dpos = inp['decoderPos']
        vis = self.lin(w, 'decoder.embed', zv)
        pos_vis = self.cat_tokens(torch.zeros(B, dd), dpos[self.vis_idx], B)
        masked = w['decoder.maskToken'].reshape(1, dd).expand(B * nm, dd) + dpos[self.mask_idx]
        x = self.cat_tokens(vis + pos_vis, masked, B)
        for i in range(s['decoderDepth']):
            x = self.block(w, f'decoder.blocks.{i}', x, B, s['decoder']['heads'])
        out = self.lin(w, 'decoder.pred', self.ln(w, 'decoder.norm', x))
        p = out.shape[1]
        pred = out.reshape(B, 1 + nv + nm, p)[:, 1 + nv:].reshape(B * nm, p)
        main = ((pred - inp['target']) ** 2).mean()
        return main, main, None

    def losses(self):
        return self.cae_losses() if self.s['algorithm'] == 'cae' else self.mae_losses()

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        loss, _, _ = self.losses()
        loss.backward()
        clip = self.s['train']['clipGrad']
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(list(self.params.values()), clip)
        self.opt.step()
        if self.s['algorithm'] == 'cae':
            m = self.s['teacherMomentum']
            with torch.no_grad():
                for name, t in self.teacher.items():
                    t.mul_(m).add_(self.params[name], alpha=1 - m)
        return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', required=True)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    spec, arrays = load(a.dir)
    twin = Twin(spec, arrays)
    with torch.no_grad():
        loss, main_, align = twin.losses()
        # the same loss in float64: how far each float32 result is from the exact value
        exact = Twin({**spec}, {k: v.double() for k, v in arrays.items()})
        torch.set_default_dtype(torch.float64)
        loss64 = float(exact.losses()[0])
        torch.set_default_dtype(torch.float32)
        del exact
    print(json.dumps({'event': 'ready', 'loss': float(loss), 'loss64': loss64, 'main': float(main_), 'align': None if align is None else float(align),
                      'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'openblasThreads': os.environ.get('OPENBLAS_NUM_THREADS')}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        if cmd[0] == 'run':
            ms = []
            for _ in range(int(cmd[1])):
                t0 = time.perf_counter()
                twin.step()
                ms.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({'event': 'ran', 'ms': ms}), flush=True)


if __name__ == '__main__':
    main()
