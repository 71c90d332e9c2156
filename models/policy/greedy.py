#!/usr/bin/env python3
"""Greedy turns of a checkpoint in torch, for the ONNX parity test:

    /usr/bin/python3 models/policy/greedy.py --checkpoint DIR --shard PREFIX --limit N

For the first N ERGO conversations of a shard (from exportData.ts) it decodes the coarse turn from
the coarse prompt and the fine turn from the teacher's conversation up to the fine answer, and
prints JSON: [{"coarse": [ids], "fine": [ids]}, ...] (each ending with an eos id or cut at the limit).
"""
import argparse
import json
import os
import tempfile

import numpy as np
import torch

import train as T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--shard', required=True)
    ap.add_argument('--limit', type=int, default=4)
    ap.add_argument('--max-new', type=int, default=48)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as model_dir:
        config, suppressed, _ = T.setup(model_dir, {**os.environ, 'ONNXRUNTIME_NODE_INSTALL': 'skip'})
    model = T.Policy(config, suppressed)
    T.load_weights(model, args.checkpoint)
    model.eval()
    shard = T.Shard(args.shard)
    out = []
    for s in [s for s in shard.samples if s['meta']['kind'] == 'ergo'][:args.limit]:
        ids, roles, pos = shard.field(s, 'ids'), shard.field(s, 'roles'), shard.field(s, 'positions')
        with torch.no_grad():
            feats = []
            for name in ('coarse', 'crop'):
                img = shard.field(s, name)
                feats.append(model.visual(torch.from_numpy(T.pixels588(img))[None], img.shape[0] // 14, img.shape[1] // 14)[0])
        c = int(np.argmax(roles == T.ROLE_COARSE))
        f = int(np.argmax(roles == T.ROLE_FINE))
        coarse = T.greedy(model, [(ids[:c], pos[:, :c])], [feats[:1]], args.max_new, T.EOS)[0]
        fine = T.greedy(model, [(ids[:f], pos[:, :f])], [feats], args.max_new, T.EOS)[0]
        out.append({'coarse': coarse, 'fine': fine})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
