#!/usr/bin/env python3
"""Checks the trainer's pointer targets against the text of real conversations (run by pointers.test.ts):

    python3 models/policy/pointers_check.py <work dir>

Exports a few held-out scenes, builds a full-phase batch and, reading the tokens each pointer names,
checks that they say what the pointer means: the coarse turn looks at the target's coarse token and
the question's words naming it; each written tag character looks at one crop glyph; for a
multiple-choice question, each option's last tag token binds that option's letter, the letter
position recalls the tag just written, and chooses the option whose tag it is. Prints counts.
"""
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def main(work):
    env = {**os.environ, 'ONNXRUNTIME_NODE_INSTALL': 'skip'}
    train.setup(os.path.join(work, 'model'), env)
    prefix = os.path.join(work, 'shard')
    subprocess.run([train.TSX, train.EXPORTER, '--first', '900000', '--scenes', '4', '--out', prefix], cwd=train.ROOT, env=env, check=True)
    shard = train.Shard(prefix)
    picks = list(range(len(shard.samples)))
    batch = train.make_batch(shard, picks, 'full')
    n_coarse = (shard.field(shard.samples[0], 'coarse').shape[0] // 28) * (shard.field(shard.samples[0], 'coarse').shape[1] // 28)
    targets = train.pointer_targets(batch, n_coarse)
    text = lambda i, p: train.TOKEN_TEXT[int(batch['ids'][i, p])]
    counts = {'ergo': 0, 'choice': 0}
    for i, s in enumerate(shard.samples):
        meta = s['meta']
        if meta['kind'] != 'ergo':
            assert not any(b == i for name in targets for b, _ in targets[name]), f'sample {i} (coarse-only) has pointers'
            continue
        counts['ergo'] += 1
        roles = batch['roles'][i]
        coarse = (roles == train.ROLE_COARSE).nonzero()[:, 0].tolist()
        for r in coarse:
            [key] = targets['pointer'][i, r - 1]
            assert int(batch['ids'][i, key]) == train.IMAGE_TOKEN
            words = {text(i, p).strip() for p in targets['ask'][i, r - 1]}
            assert words and all(w in meta['question'] for w in words), (words, meta['question'])
        fine = (roles == train.ROLE_FINE).nonzero()[:, 0].tolist()
        glyphs = set(targets['pointer'][i, fine[0] - 1])
        assert glyphs and all(int(batch['ids'][i, p]) == train.IMAGE_TOKEN for p in glyphs)
        for pos_k, _ in train.label_characters(batch['ids'][i], np.array(fine), meta['label']):
            [glyph] = targets['pointer'][i, pos_k - 1]
            assert glyph in glyphs
        if not meta['options']:
            continue
        counts['choice'] += 1
        letters = {}
        for (b, q), keys in targets['bind'].items():
            if b == i:
                letter = text(i, keys[0])[-1]
                tag = ''.join(text(i, p) for p in keys[1:]) + text(i, q)
                letters[letter] = tag.strip()
        assert sorted(f'({k}) {v}' for k, v in letters.items()) == sorted(meta['options']), (letters, meta['options'])
        [(q, keys)] = [(q, keys) for (b, q), keys in targets['choose'].items() if b == i]
        assert text(i, q + 1) == meta['answer'] and text(i, q - 1) == ' option', (text(i, q - 1), text(i, q + 1))
        assert text(i, keys[0]).strip() == letters[meta['answer']][-1]
        recalled = ''.join(text(i, p) for p in targets['recall'][i, q])
        assert recalled in (meta['label'], ''), (recalled, meta['label'])  # empty where the tokenizer merged ` T`
    print(json.dumps(counts))


if __name__ == '__main__':
    main(sys.argv[1])
