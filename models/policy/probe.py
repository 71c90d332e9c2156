#!/usr/bin/env python3
"""Probes the fine answer of a checkpoint, teacher-forced on held-out conversations:

    python3 models/policy/probe.py [checkpoint dir] [--scenes 24] [--limit 60]

Given the teacher's crop and every token before it, is the model's most likely next token the tag's
first character, its second, and (for a multiple-choice question) the option letter? Greedy
evaluation mixes these with the box and the turn before; this isolates reading. The held-out
scenes are the curves' (seeds from 900,000). Prints one JSON line of counts.

`side_second` asks the vision encoder's glyph side head for the second character, at the token
holding the second glyph's centre. Beside `second` it tells whether a misread second character is
lost in the vision encoder or in the decoder.
"""
import argparse
import json
import os

import torch

import train


def probe(model, shard, limit):
    ergo = [i for i, s in enumerate(shard.samples) if s['meta']['kind'] == 'ergo'][:limit]
    counts = {name: [0, 0] for name in ('first', 'second', 'option', 'side_second')}  # right, asked
    with torch.no_grad():
        for start in range(0, len(ergo), 8):
            picks = ergo[start:start + 8]
            batch = train.make_batch(shard, picks, 'full')
            (_, crops), logits = train.teacher_forced(model, batch)
            predicted = logits.argmax(-1)
            glyphs = model.side[2](crops).argmax(-1)

            def score(name, right):
                counts[name][0] += int(right)
                counts[name][1] += 1

            for i, s in enumerate(picks):
                label = shard.samples[s]['meta']['label']
                fine = (batch['roles'][i] == train.ROLE_FINE).nonzero()[:, 0].numpy()
                # The first mention of each character is the think step's, before the answer repeats it.
                for position, k in train.label_characters(batch['ids'][i], fine, label)[:len(label)]:
                    right = predicted[i, position - 1] == batch['ids'][i, position]
                    score('first' if k == 0 else 'second', right)
                # The glyph tokens left to right, as the trainer's pointer finds them.
                tag = (batch['crop_side'][i, 2] > 0).nonzero()[:, 0].tolist()
                if len(label) == 2 and len(tag) >= 2:
                    score('side_second', glyphs[i, tag[1]] == batch['crop_side'][i, 2, tag[1]])
                if batch['choices'][i]:
                    at = batch['choices'][i][0]
                    score('option', predicted[i, at - 1] == batch['ids'][i, at])
    return {name: {'right': right, 'of': asked} for name, (right, asked) in counts.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('checkpoint', nargs='?', default=os.path.join(train.HERE, 'checkpoint'))
    ap.add_argument('--scenes', type=int, default=24, help='held-out scenes to export (from seed 900,000)')
    ap.add_argument('--limit', type=int, default=60, help='ERGO conversations probed')
    ap.add_argument('--work', default=os.path.join(train.ROOT, '.cache', 'policy-probe'))
    args = ap.parse_args()
    torch.manual_seed(0)
    env = {**os.environ, 'ONNXRUNTIME_NODE_INSTALL': 'skip'}
    config, suppressed, _ = train.setup(os.path.join(args.work, 'model'), env)
    model = train.Policy(config, suppressed)
    train.load_weights(model, args.checkpoint)
    model.eval()
    print(json.dumps(probe(model, train.held_out_shard(args.work, args.scenes, env), args.limit)))


if __name__ == '__main__':
    main()
