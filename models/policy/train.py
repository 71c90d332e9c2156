#!/usr/bin/env python3
"""Trains `ergo-tiny`, the built-in ERGO policy, on teacher-forced conversations about generated scenes.

    npm run models:train -- [--steps N] [--run-dir DIR]      (nice -n 19, OMP_WAIT_POLICY=PASSIVE)

Data comes from `models/policy/exportData.ts` (the app's own resize, crop and chat code), generated
in shards of scenes while training runs: shard k holds scenes 1_000_000 + k * SCENES_PER_SHARD on,
and is used for PASSES passes in a seeded order. Evaluation scenes (seeds below 1_000_000) never
appear in training.

Training order (by step, `--plan`): the vision encoder alone on its per-token side labels (colour and
shape of the object centred in each coarse token; colour, glyph and next character in each crop
token), then the coarse turn (think + zoom box), then both turns together, with the side losses kept
on. Pointer losses tell some decoder heads where to look (see pointer_targets).

State: `<run-dir>/state.pt` (weights, optimizer, data position) every CKPT_EVERY steps and on SIGTERM
or SIGINT; resuming from it continues exactly. `models/policy/checkpoint/` (committed) holds the
weights (float32) and the data position; a fresh clone resumes from it with a new optimizer and a
re-warmed learning rate (Adam's moments would take the committed files past the 12 MB limit).
Learning curves go to `models/policy/curves.jsonl`.

Weights are named as the ONNX builder names them (`models/tiny/*.ts`), linear weights stored
[in, out], so `models/policy/build.ts` writes the ONNX files from the checkpoint.
"""
import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TSX = os.path.join(ROOT, 'node_modules', '.bin', 'tsx')
EXPORTER = os.path.join(HERE, 'exportData.ts')

TRAIN_SEED_BASE = 1_000_000
HELD_OUT_FIRST = 900_000  # the curves' held-out scenes (the evaluation uses seeds from 1)
# Phases by the step each ends at, and learning-rate segments (start:cosine_end[:peak]). The committed
# checkpoint's history: the vision encoder alone, the coarse turn and both turns on one cosine (to
# step 3,612, without the question pointer), then the coarse turn again and both turns, each phase
# on a cosine of its own (the second stopped at step 6,800 of its 7,000), then both turns on a new
# cosine with the option pointers (bind, recall, choose) added (that cosine was set to end at step
# 8,800 until step 7,442, then shortened to 8,300), then a short cosine at a quarter of the peak (set
# to end at 9,400 for its first 47 steps), then one at half the peak. At step 10,900 grow.py widened
# the vision encoder (64 -> 128, 2 -> 4 heads) and both turns went on with a new optimizer on a
# cosine at half the peak (set to end at 12,300 for its first 60 steps, then 12,200 for 14). At
# step 12,500 the scenes' glyphs moved a font pixel further apart (GLYPH_GAP 2, a token each in the
# crop), and both turns went on with a new optimizer on a cosine at half the peak.
PLAN = 'vision:2200,coarse:3100,full:3612,coarse:5800,full:6800,full:9700,full:10900,full:12500,full:14500'
SEGMENTS = '0:4600,3612:5800,5800:7000,6800:8300,8300:9700:0.25,9700:10900:0.5,10900:12500:0.5,12500:14500:0.5'

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)
ROLE_COARSE, ROLE_FINE, ROLE_DIRECT = 1, 2, 3
N_COLORS, N_SHAPES, N_CHARS = 6, 5, 32


# ----------------------------------------------------------------------------------------------
# Model: the same graph as models/tiny/{vision,decoder}.ts with the policy's options.

def rms_norm(x, w):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + 1e-6) * w


class Linear(nn.Module):
    """x @ W (+ b) with W stored [in, out], as the ONNX builder's MatMul takes it."""

    def __init__(self, d_in, d_out, bias=False):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d_in, d_out).uniform_(-1, 1) / math.sqrt(d_in))
        self.bias = nn.Parameter(torch.zeros(d_out)) if bias else None

    def forward(self, x):
        y = x @ self.weight
        return y + self.bias if self.bias is not None else y


class Norm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return rms_norm(x, self.weight)


class GatedMlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.gate_proj = Linear(d, hidden)
        self.up_proj = Linear(d, hidden)
        self.down_proj = Linear(hidden, d)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class VisionBlock(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = Norm(d)
        self.attn = nn.Module()
        self.attn.q = Linear(d, d, True)
        self.attn.k = Linear(d, d, True)
        self.attn.v = Linear(d, d, True)
        self.attn.proj = Linear(d, d, True)
        self.norm2 = Norm(d)
        self.mlp = GatedMlp(d, 2 * d)

    def forward(self, x):  # [B, P, d]: one image per row, P patches (one attention window)
        b, p, d = x.shape
        h = self.norm1(x)
        split = lambda t: t.view(b, p, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.attn.q(h)), split(self.attn.k(h)), split(self.attn.v(h))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), -1)
        x = x + self.attn.proj((att @ v).transpose(1, 2).reshape(b, p, d))
        return x + self.mlp(self.norm2(x))


def patch_rows_cols(gh, gw):
    """Row and column of each patch in the processor's order (2x2 merge blocks, row-major), and of each merged token."""
    k = torch.arange(gh * gw)
    block, m = k // 4, k % 4
    br, bc = block // (gw // 2), block % (gw // 2)
    return 2 * br + m // 2, 2 * bc + m % 2, br[::4], bc[::4]


class Vision(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.table = c['hidden_size'], c['row_column_embeddings']
        # The processor repeats a still image over the temporal patch: train one half, export it halved twice.
        self.patch_embed = nn.Module()
        self.patch_embed.proj = Linear(588, d)
        self.patch_rows = nn.Parameter(torch.randn(self.table, d) * 0.02)
        self.patch_cols = nn.Parameter(torch.randn(self.table, d) * 0.02)
        self.blocks = nn.ModuleList([VisionBlock(d, c['num_heads']) for _ in range(c['depth'])])
        self.merger = nn.Module()
        self.merger.ln_q = Norm(d)
        self.merger.mlp = nn.ModuleList([Linear(4 * d, 4 * d, True), nn.Identity(), Linear(4 * d, c['out_hidden_size'], True)])
        self.merger.rows = nn.Parameter(torch.randn(self.table, c['out_hidden_size']) * 0.02)
        self.merger.cols = nn.Parameter(torch.randn(self.table, c['out_hidden_size']) * 0.02)

    def forward(self, pv, gh, gw):  # pv [B, P, 588] -> [B, P/4, out]
        pr, pc, mr, mc = patch_rows_cols(gh, gw)
        last = self.table - 1
        x = self.patch_embed.proj(pv) + self.patch_rows[pr.clamp(max=last)] + self.patch_cols[pc.clamp(max=last)]
        for blk in self.blocks:
            x = blk(x)
        b, p, d = x.shape
        x = self.merger.ln_q(x).reshape(b, p // 4, 4 * d)
        x = self.merger.mlp[2](F.silu(self.merger.mlp[0](x)))
        return x + self.merger.rows[mr.clamp(max=last)] + self.merger.cols[mc.clamp(max=last)]


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, hd = c['hidden_size'], c['num_attention_heads'], c['num_key_value_heads'], c['head_dim']
        self.h, self.kv, self.hd = h, kv, hd
        self.input_layernorm = Norm(d)
        self.self_attn = nn.Module()
        self.self_attn.q_proj = Linear(d, h * hd, True)
        self.self_attn.k_proj = Linear(d, kv * hd, True)
        self.self_attn.v_proj = Linear(d, kv * hd, True)
        self.self_attn.o_proj = Linear(h * hd, d)
        self.post_attention_layernorm = Norm(d)
        self.mlp = GatedMlp(d, c['intermediate_size'])

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        a = self.self_attn
        n = self.input_layernorm(x)
        heads = lambda y, k: y.view(b, t, k, self.hd).transpose(1, 2)
        q = rope(heads(a.q_proj(n), self.h), cos, sin)
        k = rope(heads(a.k_proj(n), self.kv), cos, sin)
        v = heads(a.v_proj(n), self.kv)
        groups = self.h // self.kv
        k, v = k.repeat_interleave(groups, 1), v.repeat_interleave(groups, 1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd) + mask, -1)
        self.att = att  # for the pointer losses (training only)
        x = x + a.o_proj((att @ v).transpose(1, 2).reshape(b, t, self.h * self.hd))
        return x + self.mlp(self.post_attention_layernorm(x))


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


class Policy(nn.Module):
    def __init__(self, config, suppressed):
        super().__init__()
        tc, vc = config['text_config'], config['vision_config']
        self.tc = tc
        d, v = tc['hidden_size'], tc['vocab_size']
        self.visual = Vision(vc)
        self.embed_tokens = nn.Module()
        self.embed_tokens.weight = nn.Parameter(torch.randn(v, d) * 0.5)
        self.model = nn.Module()
        self.model.layers = nn.ModuleList([DecoderLayer(tc) for _ in range(tc['num_hidden_layers'])])
        self.model.norm = Norm(d)
        self.lm_head = Linear(d, v)
        # Side heads (training only): colour, shape, the glyph centred in the token and the character after it.
        self.side = nn.ModuleList([Linear(vc['out_hidden_size'], n, True) for n in (N_COLORS + 1, N_SHAPES + 1, N_CHARS + 1, N_CHARS + 2)])
        bias = torch.zeros(v)
        bias[suppressed] = -100.0
        self.register_buffer('suppress', bias, persistent=False)
        half = tc['head_dim'] // 2
        sec = tc['rope_scaling']['mrope_section']
        self.register_buffer('inv_freq', torch.tensor([2.0 ** -j for j in range(half)]), persistent=False)
        self.register_buffer('section', torch.tensor(sum(([i] * n for i, n in enumerate(sec)), [])), persistent=False)

    def rope_tables(self, pos):  # pos [3, B, T] -> cos, sin [B, 1, T, head_dim]
        angles = pos.float().permute(1, 2, 0)[..., self.section] * self.inv_freq  # [B, T, half]
        emb = torch.cat([angles, angles], -1).unsqueeze(1)
        return emb.cos(), emb.sin()

    def hidden(self, embeds, pos, valid):
        t = embeds.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        allowed = causal[None] & valid[:, None, :]
        mask = torch.where(allowed, 0.0, -1e9)[:, None]
        cos, sin = self.rope_tables(pos)
        x = embeds
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.model.norm(x)

    def logits(self, h):
        return self.lm_head(h) + self.suppress


# ----------------------------------------------------------------------------------------------
# Data

def pixels588(rgb):
    """[h, w, 3] uint8 -> [P, 588]: the processor's pixel_values for one temporal frame (see runtime/pixels.ts)."""
    h, w, _ = rgb.shape
    x = (rgb.astype(np.float32) * np.float32(1 / 255) - MEAN) / STD  # same per-element maths as pixels.ts up to rounding
    x = x.reshape(h // 28, 2, 14, w // 28, 2, 14, 3).transpose(0, 3, 1, 4, 6, 2, 5)  # bh, bw, mh, mw, c, y, x
    return x.reshape(-1, 3 * 14 * 14)


class Shard:
    def __init__(self, prefix):
        self.index = json.load(open(prefix + '.json'))
        self.blob = np.fromfile(prefix + '.bin', dtype=np.uint8)
        self.samples = self.index['samples']
        # Token ids of the words a question names its target by (after setup() has read the tokenizer).
        words = set(self.index['referentWords'])
        self.referent_ids = np.array([i for i, text in enumerate(TOKEN_TEXT) if text.strip().lower() in words])

    def field(self, s, name):
        f = s[name]
        dt = np.dtype(f['dtype'])
        count = int(np.prod(f['shape']))
        return np.frombuffer(self.blob, dt, count, f['offset']).reshape(f['shape'])


def target_token(meta, side, grid):
    """Index of the coarse token that holds the centre of the target (the one its colour and shape are marked on)."""
    rows, cols = grid[0] // 28, grid[1] // 28
    b = meta['bbox']
    return int((b['y1'] + b['y2']) / 2 / (side / rows)) * cols + int((b['x1'] + b['x2']) / 2 / (side / cols))


def referent_positions(shard, s):
    """Positions of the question's words that name the target (its colour, shape or quarter): where the
    coarse answer's question pointer should look."""
    ids, roles = shard.field(s, 'ids'), shard.field(s, 'roles')
    prompt = int(np.argmax(roles > 0))
    after_image = int(np.nonzero(ids[:prompt] == IMAGE_TOKEN)[0][-1]) + 1
    return after_image + np.nonzero(np.isin(ids[after_image:prompt], shard.referent_ids))[0]


def label_characters(ids, fine, label):
    """(position, k) for each character k of the tag where the fine answer writes it: after `reads `,
    and inside `<answer>` when the answer is the tag itself."""
    texts = [TOKEN_TEXT[t] for t in ids[fine].tolist()]
    out = []
    for j in range(len(texts) - len(label)):
        after_reads = texts[j] == ' ' and j > 0 and texts[j - 1] == ' reads'
        in_answer = texts[j] == '>' and j > 0 and texts[j - 1] == 'answer'
        if (after_reads or in_answer) and texts[j + 1: j + 1 + len(label)] == list(label):
            out += [(int(fine[j + 1 + k]), k) for k in range(len(label))]
    return out


LETTERS = 'ABCD'


def option_spans(ids, lo, hi):
    """[(letter position, [positions of the tokens holding the tag])] for the `(A) xx` lines between lo
    and hi. The tokenizer writes a letter either alone after `(` or merged with it, as `(A`, and the
    space before the tag alone or merged with a first `T`, as ` T`."""
    texts = [TOKEN_TEXT[t] for t in ids.tolist()]
    out, j = [], lo
    while j < hi - 3:
        t = texts[j]
        letter = j if len(t) == 2 and t[0] == '(' and t[1] in LETTERS else j + 1 if t == '(' and texts[j + 1] in LETTERS else None
        if letter is not None and texts[letter + 1] == ')' and texts[letter + 2].startswith(' '):
            first = letter + 3 if texts[letter + 2] == ' ' else letter + 2
            k = first
            while k < hi and texts[k] != '\n':
                k += 1
            out.append((letter, list(range(first, k))))
            j = k
        else:
            j += 1
    return out


def option_choice(shard, s):
    """For a multiple-choice ERGO sample: (position of the option letter the fine answer's think writes,
    positions of the matching option's tag characters, positions of all options' tag characters with
    their letters' positions); None otherwise."""
    meta = s['meta']
    if meta['kind'] != 'ergo' or not meta['options']:
        return None
    ids, roles = shard.field(s, 'ids'), shard.field(s, 'roles')
    fine = np.nonzero(roles == ROLE_FINE)[0]
    spans = option_spans(ids, meta['coarseEnd'], int(fine[0]))
    texts = [TOKEN_TEXT[t] for t in ids[fine].tolist()]
    at = next(int(fine[j + 1]) for j in range(1, len(texts) - 1) if texts[j - 1] == ' option' and texts[j] == ' ')
    assert len(spans) == len(meta['options']) and TOKEN_TEXT[ids[at]] == meta['answer'], (meta, spans)
    return at, spans[LETTERS.index(meta['answer'])][1], spans


def make_batch(shard, picks, mode):
    """Tensors for samples `picks`. mode: 'vision' (images and side labels), 'coarse' (sequences cut after the coarse turn) or 'full'."""
    samples = [shard.samples[i] for i in picks]
    coarse = np.stack([pixels588(shard.field(s, 'coarse')) for s in samples])
    coarse_side = np.stack([shard.field(s, 'coarse_side') for s in samples]).astype(np.int64)
    ergo = [s for s in samples if s['meta']['kind'] == 'ergo']
    batch = {
        'coarse': torch.from_numpy(coarse), 'coarse_grid': shard.field(samples[0], 'coarse').shape[:2],
        'coarse_side': torch.from_numpy(coarse_side),
        'crop': None, 'crop_side': None, 'has_crop': [s['meta']['kind'] == 'ergo' for s in samples],
    }
    if ergo:
        batch['crop'] = torch.from_numpy(np.stack([pixels588(shard.field(s, 'crop')) for s in ergo]))
        batch['crop_grid'] = shard.field(ergo[0], 'crop').shape[:2]
        batch['crop_side'] = torch.from_numpy(np.stack([shard.field(s, 'crop_side') for s in ergo]).astype(np.int64))
    if mode == 'vision':
        return batch
    batch['target_token'] = [target_token(s['meta'], shard.index['sceneSide'], batch['coarse_grid']) for s in samples]
    batch['referents'] = [referent_positions(shard, s) for s in samples]
    batch['labels'] = [s['meta']['label'] for s in samples]
    batch['choices'] = [option_choice(shard, s) for s in samples]
    seqs = []
    for s in samples:
        ids, roles, pos = shard.field(s, 'ids'), shard.field(s, 'roles'), shard.field(s, 'positions')
        n = s['meta']['coarseEnd'] if mode == 'coarse' else len(ids)
        seqs.append((ids[:n], roles[:n], pos[:, :n]))
    t = max(len(q[0]) for q in seqs)
    ids = np.zeros((len(seqs), t), np.int64)
    roles = np.zeros((len(seqs), t), np.int64)
    pos = np.zeros((3, len(seqs), t), np.int64)
    valid = np.zeros((len(seqs), t), bool)
    for i, (a, r, p) in enumerate(seqs):
        ids[i, :len(a)], roles[i, :len(a)], pos[:, i, :len(a)], valid[i, :len(a)] = a, r, p, True
    batch.update(ids=torch.from_numpy(ids), roles=torch.from_numpy(roles), pos=torch.from_numpy(pos), valid=torch.from_numpy(valid))
    # A conversation cut after the coarse turn shows no crop: drop its features.
    batch['crop_in_seq'] = mode == 'full'
    return batch


# ----------------------------------------------------------------------------------------------
# Losses

def vision_outputs(model, batch):
    cg = batch['coarse_grid']
    coarse = model.visual(batch['coarse'], cg[0] // 14, cg[1] // 14)
    crop = None
    if batch['crop'] is not None:
        g = batch['crop_grid']
        crop = model.visual(batch['crop'], g[0] // 14, g[1] // 14)
    return coarse, crop


def side_losses(model, feats, side, rows):
    """Cross-entropy of each side head over tokens (IGNORE = -1 left out); returns (loss, {name: accuracy on tokens that show something})."""
    total, acc = 0.0, {}
    names = ['color', 'shape', 'glyph', 'next']
    for r in rows:
        logits = model.side[r](feats).flatten(0, 1)
        target = side[:, r].flatten()
        # Balanced: tokens that show something weigh as much as the (many more) empty ones.
        marked, empty = target > 0, target == 0
        total = total + 0.5 * (F.cross_entropy(logits[marked], target[marked]) if marked.any() else 0.0) + 0.5 * F.cross_entropy(logits[empty], target[empty])
        if marked.any():
            acc[names[r]] = (logits[marked].argmax(-1) == target[marked]).float().mean().item()
    return total / len(rows), acc


def pointer_targets(batch, n_coarse):
    """Where decoder heads should look, as {name: {(sample, attending position): [positions]}}.

    `pointer` (last layer, head 0): the coarse turn at the target's coarse token, the fine turn at the
    crop tokens that show the tag. `ask` (first layer, head 0): the coarse turn at the question's
    words that name the target, so the last layer's query knows what to look for.
    Naming an option is a lookup in two steps. `bind` (first layer, head 1): the last character of each
    option's tag looks at the option's letter and at the tag's other character, so it holds the whole
    tag (options `H` and `HM` differ there only); `recall` (same head): the position that writes the
    chosen letter looks at the tag just written. `choose` (last layer, head 0): that position looks at
    the option whose tag matches, and copies the letter bound there.
    A token is predicted by the attention one position before it, hence the `- 1`s."""
    ids, roles = batch['ids'], batch['roles']
    image = ids == IMAGE_TOKEN
    point, ask, bind, recall, choose = {}, {}, {}, {}, {}
    k = 0
    for i, has_crop in enumerate(batch['has_crop']):
        if not has_crop:
            continue
        at = image[i].nonzero()[:, 0].tolist()
        for r in (roles[i] == ROLE_COARSE).nonzero()[:, 0].tolist():
            point[i, r - 1] = [at[batch['target_token'][i]]]
            ask[i, r - 1] = batch['referents'][i].tolist()
        if batch['crop_in_seq']:
            tag = [at[n_coarse + j] for j in (batch['crop_side'][k, 2] > 0).nonzero()[:, 0].tolist()]  # glyph centres, left to right
            fine = (roles[i] == ROLE_FINE).nonzero()[:, 0]
            for r in fine.tolist():
                point[i, r - 1] = tag
            # Where the answer writes the tag, each character looks at its own glyph only: a head on all
            # of them at once gets their characters superposed, with nothing to tell first from second.
            written = label_characters(ids[i], fine, batch['labels'][i])
            for pos_k, glyph in written:
                point[i, pos_k - 1] = [tag[min(glyph, len(tag) - 1)]]
            choice = batch['choices'][i]
            if choice is not None:
                letter_at, matching, spans = choice
                for letter, chars in spans:
                    bind[i, chars[-1]] = [letter] + chars[:-1]
                recall[i, letter_at - 1] = [p for p, _ in written[:len(batch['labels'][i])]]
                del point[i, letter_at - 1]
                choose[i, letter_at - 1] = [matching[-1]]
        k += 1
    return {'pointer': point, 'ask': ask, 'bind': bind, 'recall': recall, 'choose': choose}


# The head each pointer trains: (layer, head).
POINTER_HEADS = {'pointer': (-1, 0), 'ask': (0, 0), 'bind': (0, 1), 'recall': (0, 1), 'choose': (-1, 0)}


def teacher_forced(model, batch):
    """((coarse features, crop features), logits at every position) for a 'full' batch of ERGO
    conversations, each with its coarse image and its crop."""
    coarse, crops = vision_outputs(model, batch)
    feats = torch.cat([f for pair in zip(coarse, crops) for f in pair])
    image = (batch['ids'] == IMAGE_TOKEN)[..., None]
    embeds = model.embed_tokens.weight[batch['ids']].masked_scatter(image, feats)
    return (coarse, crops), model.logits(model.hidden(embeds, batch['pos'], batch['valid']))


def sequence_loss(model, batch, coarse_feats, crop_feats):
    ids, roles, pos, valid = batch['ids'], batch['roles'], batch['pos'], batch['valid']
    embeds = model.embed_tokens.weight[ids]
    image = ids == IMAGE_TOKEN
    feats = []
    k = 0
    for i, has_crop in enumerate(batch['has_crop']):
        feats.append(coarse_feats[i])
        if has_crop and batch['crop_in_seq']:
            feats.append(crop_feats[k])
        k += has_crop
    embeds = embeds.masked_scatter(image[..., None], torch.cat(feats))
    h = model.hidden(embeds, pos, valid)
    target_roles = roles[:, 1:]
    keep = target_roles > 0
    logits = model.logits(h[:, :-1][keep])
    targets = ids[:, 1:][keep]
    loss = F.cross_entropy(logits, targets)
    right = logits.argmax(-1) == targets
    acc = {}
    loss_pointer = torch.zeros(())
    for name, where in pointer_targets(batch, coarse_feats.shape[1]).items():
        where = {q: keys for q, keys in where.items() if keys}
        if where:
            layer, head = POINTER_HEADS[name]
            flat = [(b, q, key, g) for g, ((b, q), keys) in enumerate(where.items()) for key in keys]
            b, q, key, g = (torch.tensor(c) for c in zip(*flat))
            mass = torch.zeros(len(where)).index_add(0, g, model.model.layers[layer].att[b, head, q, key])
            loss_pointer = loss_pointer - torch.log(mass + 1e-6).mean()
            acc[name] = mass.mean().item()
    for name, role in (('tok_coarse', ROLE_COARSE), ('tok_fine', ROLE_FINE), ('tok_direct', ROLE_DIRECT)):
        m = target_roles[keep] == role
        if m.any():
            acc[name] = right[m].float().mean().item()
    return loss, loss_pointer, acc


def parse_plan(text):
    """'vision:2200,coarse:3100,...' -> [(phase, end_step), ...], ends increasing."""
    try:
        plan = [(p, int(e)) for p, e in (item.split(':') for item in text.split(','))]
    except ValueError:
        plan = []
    if not plan or any(p not in ('vision', 'coarse', 'full') for p, _ in plan) or any(a[1] >= b[1] for a, b in zip(plan, plan[1:])):
        raise SystemExit(f'--plan {text!r}: expected phase:end_step,... (phases vision, coarse or full; ends increasing)')
    return plan


def phase_of(step, plan):
    return next((p for p, end in plan if step < end), plan[-1][0])


def parse_segments(text):
    """'0:4600,3612:7100:0.25' -> [(start, cosine_end, peak), ...]: at each start the learning rate
    warms up again to peak times --lr (1 when omitted) and decays on a new cosine that ends at
    cosine_end. A lower peak lets a short late segment refine without undoing what was learnt."""
    try:
        segments = []
        for item in text.split(','):
            start, end, *peak = item.split(':')
            if len(peak) > 1:
                raise ValueError(item)
            segments.append((int(start), int(end), float(peak[0]) if peak else 1.0))
        segments.sort()
    except ValueError:
        segments = []
    if not segments or segments[0][0] != 0 or any(b <= a or not 0 < p <= 1 for a, b, p in segments):
        raise SystemExit(f'--segments {text!r}: expected start:cosine_end[:peak],... (the first starting at 0, each ending after its start, peak in (0, 1])')
    return segments


def lr_at(step, args, warm_from):
    start, end, peak = [seg for seg in args.segments if seg[0] <= step][-1]
    warm = min(1.0, (step - max(start, warm_from) + 1) / args.warmup)
    decay = 0.5 * (1 + math.cos(math.pi * min(1.0, (step - start) / (end - start))))
    return args.lr * peak * warm * max(0.05, decay)


def train_step(model, batch, mode, side_weight, pointer_weight):
    coarse_feats, crop_feats = vision_outputs(model, batch)
    loss_side, acc = side_losses(model, coarse_feats, batch['coarse_side'], [0, 1])
    if crop_feats is not None:
        crop_loss, crop_acc = side_losses(model, crop_feats, batch['crop_side'], [0, 2, 3])
        loss_side = (loss_side + crop_loss) / 2
        acc.update({'crop_' + k: v for k, v in crop_acc.items()})
    stats = {'side': loss_side.item(), **acc}
    if mode == 'vision':
        return loss_side, stats
    loss_lm, loss_pointer, tok_acc = sequence_loss(model, batch, coarse_feats, crop_feats)
    stats.update(lm=loss_lm.item(), pointer_loss=loss_pointer.item(), **tok_acc)
    return loss_lm + side_weight * loss_side + pointer_weight * loss_pointer, stats


# ----------------------------------------------------------------------------------------------
# Greedy decoding (no cache: one full pass per token, right-padded batches) for the curves

ZOOM = re.compile(r'<zoom>\s*\[(\d+),\s*(\d+),\s*(\d+),\s*(\d+)\]\s*</zoom>')
ANSWER = re.compile(r'<answer>(.*?)(?:</answer>|$)', re.S)


@torch.no_grad()
def greedy(model, prompts, feats, max_new, stop_ids):
    """prompts: list of (ids, pos [3, n]); feats: per prompt, the image features in order. Returns the
    generated ids per prompt, up to and including the first of `stop_ids` (the generation config's eos ids)."""
    seqs = [list(p[0]) for p in prompts]
    poss = [p[1].copy() for p in prompts]
    out = [[] for _ in prompts]
    done = [False] * len(prompts)
    image_feats = [torch.cat(f) for f in feats]
    for _ in range(max_new):
        live = [i for i in range(len(seqs)) if not done[i]]
        if not live:
            break
        t = max(len(seqs[i]) for i in live)
        ids = torch.zeros(len(live), t, dtype=torch.long)
        pos = torch.zeros(3, len(live), t, dtype=torch.long)
        valid = torch.zeros(len(live), t, dtype=torch.bool)
        for j, i in enumerate(live):
            n = len(seqs[i])
            ids[j, :n] = torch.tensor(seqs[i])
            pos[:, j, :n] = torch.from_numpy(poss[i])
            valid[j, :n] = True
        embeds = model.embed_tokens.weight[ids]
        image = ids == IMAGE_TOKEN
        embeds = embeds.masked_scatter(image[..., None], torch.cat([image_feats[i] for i in live]))
        h = model.hidden(embeds, pos, valid)
        last = torch.tensor([len(seqs[i]) - 1 for i in live])
        nxt = model.logits(h[torch.arange(len(live)), last]).argmax(-1).tolist()
        for j, i in enumerate(live):
            tok = nxt[j]
            out[i].append(tok)
            seqs[i].append(tok)
            p = poss[i][:, -1:] + 1 if poss[i].shape[1] else np.zeros((3, 1), np.int64)
            poss[i] = np.concatenate([poss[i], np.repeat(p.max(0, keepdims=True), 3, 0)], 1)
            if tok in stop_ids:
                done[i] = True
    return out


def contains(box, bbox, scale):
    x1, y1, x2, y2 = box
    return x1 * scale <= bbox['x1'] and y1 * scale <= bbox['y1'] and x2 * scale >= bbox['x2'] and y2 * scale >= bbox['y2']


@torch.no_grad()
def held_out_side(model, sides):
    """Side-label accuracy on scenes never trained on: only these numbers tell reading learned from reading memorised."""
    if not sides:
        return {}
    stack = lambda j: torch.stack([torch.as_tensor(np.asarray(x[j]).astype(np.int64)) if j > 1 else x[j] for x in sides])
    side = side_losses(model, stack(0), stack(2), [0, 1])[1]
    side.update({'crop_' + k: v for k, v in side_losses(model, stack(1), stack(3), [0, 2, 3])[1].items()})
    return {k: round(v, 4) for k, v in side.items()}


@torch.no_grad()
def held_out_metrics(model, shard, decode, limit, turns=True):
    """Format, containment and reading (greedy from the teacher's crop), coarse-only accuracy, on held-out scenes;
    only the side-label accuracies when not `turns` (the vision phase, where the turns are not trained yet)."""
    model.eval()
    ergo = [i for i, s in enumerate(shard.samples) if s['meta']['kind'] == 'ergo'][:limit]
    direct = [i for i, s in enumerate(shard.samples) if s['meta']['kind'] == 'direct'][:limit // 2]
    fmt = cont = read = 0
    coarse_prompts, coarse_feats, fine_prompts, fine_feats, sides = [], [], [], [], []
    for i in ergo:
        s = shard.samples[i]
        ids, roles, pos = shard.field(s, 'ids'), shard.field(s, 'roles'), shard.field(s, 'positions')
        cg, kg = shard.field(s, 'coarse').shape, shard.field(s, 'crop').shape
        cf = model.visual(torch.from_numpy(pixels588(shard.field(s, 'coarse')))[None], cg[0] // 14, cg[1] // 14)[0]
        kf = model.visual(torch.from_numpy(pixels588(shard.field(s, 'crop')))[None], kg[0] // 14, kg[1] // 14)[0]
        start_coarse = int(np.argmax(roles == ROLE_COARSE))
        start_fine = int(np.argmax(roles == ROLE_FINE))
        coarse_prompts.append((ids[:start_coarse], pos[:, :start_coarse]))
        coarse_feats.append([cf])
        fine_prompts.append((ids[:start_fine], pos[:, :start_fine]))
        fine_feats.append([cf, kf])
        sides.append((cf, kf, shard.field(s, 'coarse_side'), shard.field(s, 'crop_side')))
    side = held_out_side(model, sides)
    if not turns:
        model.train()
        return {'side': side}
    coarse_out = greedy(model, coarse_prompts, coarse_feats, 48, EOS)
    fine_out = greedy(model, fine_prompts, fine_feats, 32, EOS)
    samples = []
    for i, c, f in zip(ergo, coarse_out, fine_out):
        meta = shard.samples[i]['meta']
        text = decode(c)
        m = ZOOM.search(text)
        if m and '<think>' in text and '</think>' in text:
            fmt += 1
        if m and contains([int(v) for v in m.groups()], meta['bbox'], SCENE_OVER_COARSE):
            cont += 1
        a = ANSWER.search(decode(f))
        if a and a.group(1).strip() == meta['answer']:
            read += 1
        if len(samples) < 3:
            samples.append({'coarse': text, 'fine': decode(f), 'answer': meta['answer']})
    prompts, feats = [], []
    for i in direct:
        s = shard.samples[i]
        ids, roles, pos = shard.field(s, 'ids'), shard.field(s, 'roles'), shard.field(s, 'positions')
        cg = shard.field(s, 'coarse').shape
        start = int(np.argmax(roles == ROLE_DIRECT))
        prompts.append((ids[:start], pos[:, :start]))
        feats.append([model.visual(torch.from_numpy(pixels588(shard.field(s, 'coarse')))[None], cg[0] // 14, cg[1] // 14)[0]])
    direct_right = 0
    for i, out in zip(direct, greedy(model, prompts, feats, 12, EOS)):
        a = ANSWER.search(decode(out))
        direct_right += bool(a and a.group(1).strip() == shard.samples[i]['meta']['answer'])
    model.train()
    n = max(1, len(ergo))
    return {'format': fmt / n, 'containment': cont / n, 'reading': read / n, 'coarse_only': direct_right / max(1, len(direct)), 'n': len(ergo), 'side': side, 'examples': samples}


# ----------------------------------------------------------------------------------------------
# Checkpoints

def save_weights(model, path, meta):
    """Weights as raw float32 (`weights.bin`) plus an index (`weights.json`): the format build.ts reads."""
    os.makedirs(path, exist_ok=True)
    tensors, offset, chunks = {}, 0, []
    for name, t in model.state_dict().items():
        a = t.detach().contiguous().numpy().astype('<f4')
        tensors[name] = {'offset': offset, 'shape': list(a.shape)}
        chunks.append(a.tobytes())
        offset += a.nbytes
    tmp = os.path.join(path, 'weights.bin.tmp')
    with open(tmp, 'wb') as f:
        for c in chunks:
            f.write(c)
    os.replace(tmp, os.path.join(path, 'weights.bin'))
    with open(os.path.join(path, 'weights.json.tmp'), 'w') as f:
        json.dump({**meta, 'tensors': tensors}, f, indent=1)
    os.replace(os.path.join(path, 'weights.json.tmp'), os.path.join(path, 'weights.json'))


def load_weights(model, path):
    index = json.load(open(os.path.join(path, 'weights.json')))
    blob = np.fromfile(os.path.join(path, 'weights.bin'), dtype='<f4')
    state = {name: torch.from_numpy(blob[t['offset'] // 4: t['offset'] // 4 + int(np.prod(t['shape']))].reshape(t['shape']).copy()) for name, t in index['tensors'].items()}
    model.load_state_dict(state)
    return index


# ----------------------------------------------------------------------------------------------
# Shards, made by the exporter in the background

class Shards:
    def __init__(self, run_dir, scenes_per_shard, node_env, lookahead=1):
        self.lookahead = lookahead
        self.dir = os.path.join(run_dir, 'data')
        os.makedirs(self.dir, exist_ok=True)
        self.n = scenes_per_shard
        self.jobs = {}
        self.env = node_env

    def prefix(self, k):
        return os.path.join(self.dir, f'shard-{k:06d}')

    def start(self, k):
        if k in self.jobs or os.path.exists(self.prefix(k) + '.json'):
            return
        first = TRAIN_SEED_BASE + k * self.n
        cmd = [TSX, EXPORTER, '--first', str(first), '--scenes', str(self.n), '--out', self.prefix(k)]
        self.jobs[k] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def ahead(self, k):
        """Starts the next shards (one exporter at a time, so the exporter never holds more than one core)."""
        for j in range(k + 1, k + 1 + self.lookahead):
            if j in self.jobs and self.jobs[j].poll() is None:
                return
            if j not in self.jobs and not os.path.exists(self.prefix(j) + '.json'):
                self.start(j)
                return

    def get(self, k):
        self.start(k)
        job = self.jobs.pop(k, None)
        if job is not None and job.wait() != 0:
            raise RuntimeError(f'exporting shard {k} failed: {job.stderr.read().decode()[-2000:]}')
        return Shard(self.prefix(k))

    def drop(self, k):
        for ext in ('.json', '.bin'):
            if os.path.exists(self.prefix(k) + ext):
                os.remove(self.prefix(k) + ext)


# ----------------------------------------------------------------------------------------------

def held_out_shard(folder, scenes, node_env):
    """The first `scenes` held-out scenes (seeds from HELD_OUT_FIRST), exported into `folder` once."""
    prefix = os.path.join(folder, f'held-out-{HELD_OUT_FIRST}-{scenes}')
    if not os.path.exists(prefix + '.json'):
        subprocess.run([TSX, EXPORTER, '--first', str(HELD_OUT_FIRST), '--scenes', str(scenes), '--out', prefix], cwd=ROOT, env=node_env, check=True, stdout=subprocess.DEVNULL)
    return Shard(prefix)


def setup(model_dir, node_env):
    """Writes the model's config and tokenizer files to `model_dir` (the exporter), reads sizes and
    special tokens from them; returns (config, suppressed token ids, decode(ids) -> text)."""
    subprocess.run([TSX, EXPORTER, '--model-dir', model_dir], cwd=ROOT, env=node_env, check=True, stdout=subprocess.DEVNULL)
    config = json.load(open(os.path.join(model_dir, 'config.json')))
    tok_config = json.load(open(os.path.join(model_dir, 'tokenizer_config.json')))
    specials = {v['content']: int(k) for k, v in tok_config['added_tokens_decoder'].items()}
    global IMAGE_TOKEN, IM_END, EOS
    IMAGE_TOKEN, IM_END = specials['<|image_pad|>'], specials['<|im_end|>']
    EOS = set(json.load(open(os.path.join(model_dir, 'generation_config.json')))['eos_token_id'])
    suppressed = [i for t, i in specials.items() if t not in ('<|im_end|>', '<|endoftext|>')]
    vocab = json.load(open(os.path.join(model_dir, 'tokenizer.json')))['model']['vocab']
    symbols = []  # GPT-2's byte <-> symbol map, as models/tiny/tokenizer.ts builds it
    extra = 0
    for b in range(256):
        printable = 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255
        symbols.append(chr(b) if printable else chr(256 + extra))
        extra += 0 if printable else 1
    byte_of = {s: b for b, s in enumerate(symbols)}
    id_to_text = {i: bytes(byte_of[ch] for ch in tok) for tok, i in vocab.items()}
    special_ids = set(specials.values())

    def decode(ids):
        return b''.join(id_to_text.get(i, b'') for i in ids if i not in special_ids).decode('utf-8', 'replace')
    global TOKEN_TEXT
    TOKEN_TEXT = [decode([i]) for i in range(config['text_config']['vocab_size'])]
    return config, suppressed, decode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run-dir', default=os.path.join(ROOT, '.cache', 'policy-run'))
    ap.add_argument('--checkpoint', default=os.path.join(HERE, 'checkpoint'), help='committed checkpoint folder (weights.bin/json)')
    ap.add_argument('--curves', default=os.path.join(HERE, 'curves.jsonl'))
    ap.add_argument('--steps', type=int, help='stop after this step (default: where the plan ends)')
    ap.add_argument('--plan', default=PLAN, help='phases and the step each ends at')
    ap.add_argument('--segments', default=SEGMENTS, help='learning-rate segments, start:cosine_end[:peak]')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--side-weight', type=float, default=0.3)
    ap.add_argument('--pointer-weight', type=float, default=0.5, help='weight of the losses that tell decoder heads where to look (see sequence_loss)')
    ap.add_argument('--scenes-per-shard', type=int, default=48)
    ap.add_argument('--passes', type=int, default=1)
    ap.add_argument('--lookahead', type=int, default=3, help='shards kept ready ahead of the one in use')
    ap.add_argument('--eval-every', type=int, default=200)
    ap.add_argument('--eval-scenes', type=int, default=24)
    ap.add_argument('--eval-limit', type=int, default=32)
    ap.add_argument('--ckpt-every', type=int, default=100)
    ap.add_argument('--log-every', type=int, default=10)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=14)
    args = ap.parse_args()
    args.plan, args.segments = parse_plan(args.plan), parse_segments(args.segments)
    args.steps = args.plan[-1][1] if args.steps is None else args.steps

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.run_dir, exist_ok=True)
    node_env = {**os.environ, 'ONNXRUNTIME_NODE_INSTALL': 'skip'}
    model_dir = os.path.join(args.run_dir, 'model')
    config, suppressed, decode = setup(model_dir, node_env)
    model = Policy(config, suppressed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    state_path = os.path.join(args.run_dir, 'state.pt')
    pos = {'step': 0, 'shard': 0, 'pass': 0, 'offset': 0}
    warm_from = 0
    if os.path.exists(state_path):
        st = torch.load(state_path)
        model.load_state_dict(st['model'])
        opt.load_state_dict(st['opt'])
        pos = st['pos']
        print(f'resumed from {state_path} at step {pos["step"]}', flush=True)
    elif os.path.exists(os.path.join(args.checkpoint, 'weights.json')):
        index = load_weights(model, args.checkpoint)
        pos = index['position']
        warm_from = pos['step']
        print(f'resumed weights from {args.checkpoint} at step {pos["step"]} (optimizer restarts, learning rate re-warmed)', flush=True)
    n_params = sum(p.numel() for n, p in model.named_parameters() if not n.startswith('side.'))
    print(f'{n_params} parameters (without side heads); vocab {config["text_config"]["vocab_size"]}', flush=True)

    shards = Shards(args.run_dir, args.scenes_per_shard, node_env, args.lookahead)
    held_out = held_out_shard(shards.dir, args.eval_scenes, node_env)
    global SCENE_OVER_COARSE
    SCENE_OVER_COARSE = held_out.index['sceneSide'] / held_out.field(held_out.samples[0], 'coarse').shape[1]

    stop = {'now': False}

    def on_signal(signum, frame):
        stop['now'] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def checkpoint():
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'pos': pos}, state_path + '.tmp')
        os.replace(state_path + '.tmp', state_path)
        save_weights(model, args.checkpoint, {'position': pos, 'args': {k: v for k, v in vars(args).items() if k not in ('run_dir', 'checkpoint', 'curves')}})

    def log(record):
        with open(args.curves, 'a') as f:
            f.write(json.dumps(record) + '\n')

    shard = shards.get(pos['shard'])
    shards.ahead(pos['shard'])
    rng_for = lambda k, p: np.random.default_rng([args.seed, k, p])
    order = rng_for(pos['shard'], pos['pass']).permutation(len(shard.samples))
    t0, seen, window = time.time(), 0, []
    while pos['step'] < args.steps and not stop['now']:
        if pos['offset'] + args.batch > len(order):
            pos['pass'] += 1
            pos['offset'] = 0
            if pos['pass'] >= args.passes:
                shards.drop(pos['shard'])
                pos['shard'] += 1
                pos['pass'] = 0
                shard = shards.get(pos['shard'])
                shards.ahead(pos['shard'])
            order = rng_for(pos['shard'], pos['pass']).permutation(len(shard.samples))
            continue
        shards.ahead(pos['shard'])
        mode = phase_of(pos['step'], args.plan)
        picks = order[pos['offset']: pos['offset'] + args.batch]
        if mode == 'vision':  # the vision phase needs ERGO samples (they carry crops)
            picks = [i for i in picks if shard.samples[i]['meta']['kind'] == 'ergo']
        batch = make_batch(shard, picks, mode)
        for g in opt.param_groups:
            g['lr'] = lr_at(pos['step'], args, warm_from)
        loss, stats = train_step(model, batch, mode, args.side_weight, args.pointer_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        pos['step'] += 1
        pos['offset'] += args.batch
        seen += len(picks)
        window.append(stats)
        if pos['step'] % args.log_every == 0:
            avg = {k: round(float(np.mean([w[k] for w in window if k in w])), 4) for k in sorted({k for w in window for k in w})}
            rate = seen / (time.time() - t0)
            print(f'step {pos["step"]} {mode} {json.dumps(avg)} {rate:.1f} samples/s', flush=True)
            log({'step': pos['step'], 'phase': mode, 'time': round(time.time()), 'samples_per_s': round(rate, 2), 'lr': lr_at(pos['step'] - 1, args, warm_from), **avg})
            window = []
        if pos['step'] % args.ckpt_every == 0:
            checkpoint()
        if pos['step'] % args.eval_every == 0:
            m = held_out_metrics(model, held_out, decode, args.eval_limit, turns=mode != 'vision')
            print(f'eval step {pos["step"]}: {json.dumps(m)}', flush=True)
            log({'step': pos['step'], 'phase': mode, 'time': round(time.time()), 'eval': {k: v for k, v in m.items() if k != 'examples'}, 'examples': m.get('examples', [])})
    checkpoint()
    print(f'stopped at step {pos["step"]}; checkpoint written', flush=True)


if __name__ == '__main__':
    main()
