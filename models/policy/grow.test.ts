// Widening the vision encoder (grow.py) keeps what the committed checkpoint computes, to rounding.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'policy-grow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const grow = (...args: string[]) =>
  execFileSync('/usr/bin/python3', ['models/policy/grow.py', '--to', join(dir, 'grown'), '--work', join(dir, 'work'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });

type Report = { from: [number, number]; to: [number, number]; vision: number; logits: number; same_argmax: boolean };

describe('policy vision growth', () => {
  it('adds a head of the same width and the grown model answers as the committed one', () => {
    const committed = JSON.parse(readFileSync('models/policy/checkpoint/weights.json', 'utf8')) as { tensors: Record<string, { shape: number[] }> };
    const width = committed.tensors['visual.patch_embed.proj.weight']!.shape[1]!;
    const report = JSON.parse(grow('--hidden', String(width + 32), '--heads', String(width / 32 + 1), '--check').trim()) as Report;
    expect(report.from).toEqual([width, width / 32]);
    expect(report.vision).toBeLessThan(1e-4);
    expect(report.logits).toBeLessThan(1e-3);
    expect(report.same_argmax).toBe(true);
    const grown = JSON.parse(readFileSync(join(dir, 'grown', 'weights.json'), 'utf8')) as typeof committed;
    expect(grown.tensors['visual.blocks.0.attn.q.weight']!.shape).toEqual([width + 32, width + 32]);
    expect(grown.tensors['visual.merger.mlp.0.weight']!.shape).toEqual([4 * (width + 32), 4 * (width + 32)]);
  }, 120_000);

  it('refuses a width that does not grow or splits a head', () => {
    expect(() => grow('--hidden', '64', '--heads', '2')).toThrow(/cannot grow the vision width \d+ to 64 with 2 heads/);
    expect(() => grow('--hidden', '200', '--heads', '8')).toThrow(/must be a whole number of the 25-wide heads/);
    expect(existsSync(join(dir, 'grown', 'weights.bin'))).toBe(true);
  });
});
