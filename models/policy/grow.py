#!/usr/bin/env python3
"""Widens the vision encoder of a checkpoint without changing what the model computes:

    python3 models/policy/grow.py --hidden 96 --heads 3 [--from DIR] [--to DIR] [--check]

The head width stays (64 wide with 2 heads of 32 becomes 96 wide with 3 of 32), so every trained
head keeps its weights. The new residual dimensions start at zero: nothing writes to them (the patch
embedding's, the attention projection's and the MLP's output columns there are zero), and no output
reads the new head or the new MLP and merger units (their output rows are zero). RMS norms average
over the wider stream, so their weights are scaled to give the old values. The new parts get the
trainer's usual random init on their inputs, so gradients reach them from the first step; training
then uses them. Retraining from the vision phase would take several sessions of CPU; this keeps
every step so far.

The trainer resumes a committed checkpoint with a new optimizer and a re-warmed learning rate; a
run folder's `state.pt` holds the old width, so growing in place removes it. The spec
(models/policy/spec.ts) must say the new sizes before training resumes. `--check` compares the old
and the grown model on held-out conversations.
"""
import argparse
import json
import math
import os

import torch

import train


def grow_state(old, new, d0, d):
    """The grown state: `new` (a fresh model's random init at width d) with `old`'s tensors (width d0) in place."""
    out = {}
    patches = lambda n: torch.cat([torch.arange(m * d, m * d + n) for m in range(4)])  # merger input: 4 patches side by side
    for name, t in new.items():
        t = t.clone()
        o = old[name]
        if name.startswith('visual.') and o.shape != t.shape:
            if 'norm' in name or 'ln_q' in name:
                # x / rms(x) over d dims, d0 of them non-zero, is sqrt(d / d0) times the d0-dim value.
                scaled = o * math.sqrt(d0 / d)
                t[:] = scaled.mean()
                t[:d0] = scaled
            elif name == 'visual.merger.mlp.0.weight':
                t[patches(d0)[:, None], torch.arange(4 * d0)[None]] = o
            else:
                t[tuple(slice(0, n) for n in o.shape)] = o
            zero_new_outputs(name, t, d0)
        elif o.shape == t.shape:
            t = o.clone()
        else:
            raise SystemExit(f'{name}: {list(o.shape)} cannot grow to {list(t.shape)}')
        out[name] = t
    return out


def zero_new_outputs(name, t, d0):
    """Nothing writes the new residual dimensions, and nothing reads the new head or units onward."""
    writes_stream = ('patch_embed.proj.weight', 'patch_rows', 'patch_cols', 'attn.proj.weight', 'attn.proj.bias', 'mlp.down_proj.weight')
    if name.endswith(writes_stream):
        t[..., d0:] = 0
    if name.endswith('attn.proj.weight'):
        t[d0:] = 0  # the new head's output
    if name.endswith('mlp.down_proj.weight'):
        t[2 * d0:] = 0  # the new MLP units
    if name == 'visual.merger.mlp.2.weight':
        t[4 * d0:] = 0  # the new merger units


def check(old_model, new_model, work, env):
    """Largest difference of vision features and of logits over held-out conversations (both turns)."""
    shard = train.held_out_shard(work, 6, env)
    picks = [i for i, s in enumerate(shard.samples) if s['meta']['kind'] == 'ergo'][:8]
    batch = train.make_batch(shard, picks, 'full')
    with torch.no_grad():
        (feats0, logits0), (feats1, logits1) = (train.teacher_forced(model.eval(), batch) for model in (old_model, new_model))
    valid = batch['valid']
    return {
        'vision': max((a - b).abs().max().item() for a, b in zip(feats0, feats1)),
        'logits': (logits0 - logits1)[valid].abs().max().item(),
        'same_argmax': bool((logits0.argmax(-1) == logits1.argmax(-1))[valid].all()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--hidden', type=int, required=True, help='new vision width')
    ap.add_argument('--heads', type=int, required=True, help='new vision heads (the head width stays)')
    ap.add_argument('--from', dest='src', default=os.path.join(train.HERE, 'checkpoint'))
    ap.add_argument('--to', help='output checkpoint folder (default: the input, in place)')
    ap.add_argument('--check', action='store_true', help='compare the old and grown model on held-out conversations')
    ap.add_argument('--run-dir', default=os.path.join(train.ROOT, '.cache', 'policy-run'), help="the trainer's run folder, whose state.pt growing in place makes stale")
    ap.add_argument('--work', default=os.path.join(train.ROOT, '.cache', 'policy-grow'))
    args = ap.parse_args()
    dst = args.to or args.src
    torch.manual_seed(0)
    env = {**os.environ, 'ONNXRUNTIME_NODE_INSTALL': 'skip'}
    config, suppressed, _ = train.setup(os.path.join(args.work, 'model'), env)
    index = json.load(open(os.path.join(args.src, 'weights.json')))
    d0 = index['tensors']['visual.patch_embed.proj.weight']['shape'][1]
    head_width = args.hidden // args.heads
    old_heads = d0 // head_width
    if args.hidden <= d0 or args.hidden % args.heads or d0 % head_width:
        raise SystemExit(f'cannot grow the vision width {d0} to {args.hidden} with {args.heads} heads: '
                         f'the width must grow and {d0} must be a whole number of the {head_width}-wide heads')

    def model_at(hidden, heads):
        c = json.loads(json.dumps(config))
        c['vision_config'].update(hidden_size=hidden, intermediate_size=2 * hidden, num_heads=heads)
        return train.Policy(c, suppressed)

    old_model = model_at(d0, old_heads)
    meta = train.load_weights(old_model, args.src)
    new_model = model_at(args.hidden, args.heads)
    new_model.load_state_dict(grow_state(old_model.state_dict(), new_model.state_dict(), d0, args.hidden))
    meta = {k: v for k, v in meta.items() if k != 'tensors'}
    train.save_weights(new_model, dst, meta)
    stale = os.path.join(args.run_dir, 'state.pt')
    if dst == args.src and os.path.exists(stale):
        os.remove(stale)
    report = {'from': [d0, old_heads], 'to': [args.hidden, args.heads], 'step': meta['position']['step']}
    if args.check:
        report.update(check(old_model, new_model, args.work, env))
    print(json.dumps(report))


if __name__ == '__main__':
    main()
