// The trainer on a few steps (CI): every phase runs, curves and the checkpoint are written, and a
// second run resumes from the committed-style checkpoint where the first stopped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'policy-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(steps: number, segments = '0:4,3:4:0.5'): string {
  const args = ['models/policy/train.py', '--run-dir', join(dir, 'run'), '--checkpoint', join(dir, 'ckpt'), '--curves', join(dir, 'curves.jsonl')];
  args.push('--steps', String(steps), '--plan', 'vision:1,coarse:2,full:4', '--segments', segments, '--batch', '4', '--scenes-per-shard', '2', '--passes', '1');
  args.push('--eval-scenes', '1', '--eval-limit', '2', '--eval-every', '3', '--log-every', '1', '--ckpt-every', '100', '--threads', '1');
  return execFileSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ONNXRUNTIME_NODE_INSTALL: 'skip' } });
}

describe('policy trainer', () => {
  it('runs the vision, coarse and full phases, logs curves, checkpoints, and resumes', () => {
    const first = train(3);
    expect(first).toMatch(/step 1 vision/);
    expect(first).toMatch(/step 2 coarse/);
    expect(first).toMatch(/step 3 full/);
    expect(first).toMatch(/eval step 3:/);
    const curves = readFileSync(join(dir, 'curves.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(curves.map((c) => c.phase)).toEqual(['vision', 'coarse', 'full', 'full']);
    expect(curves[1]).toHaveProperty('ask');
    expect(curves[2]).toHaveProperty('lm');
    expect(curves[3]!.eval).toMatchObject({ format: expect.any(Number), containment: expect.any(Number), reading: expect.any(Number), coarse_only: expect.any(Number) });
    const index = JSON.parse(readFileSync(join(dir, 'ckpt', 'weights.json'), 'utf8')) as { position: { step: number }; tensors: Record<string, unknown> };
    expect(index.position.step).toBe(3);
    expect(Object.keys(index.tensors)).toContain('visual.merger.rows');
    // The committed folder holds weights and the data position only: Adam's moments stay in the run folder.
    expect(readdirSync(join(dir, 'ckpt')).sort()).toEqual(['weights.bin', 'weights.json']);
    // Without the run folder's state, the committed weights are the resume point.
    rmSync(join(dir, 'run', 'state.pt'));
    const second = train(4);
    expect(second).toMatch(/resumed weights from .* at step 3 \(optimizer restarts, learning rate re-warmed\)/);
    expect(second).toMatch(/step 4 full/);
    expect(existsSync(join(dir, 'run', 'state.pt'))).toBe(true);
    // Step 4 trains at step 3's rate: the first of the re-warm's 100 steps, in segment 3:4:0.5, at half of 2e-3.
    const last = JSON.parse(readFileSync(join(dir, 'curves.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { step: number; lr: number };
    expect(last.step).toBe(4);
    expect(last.lr).toBeCloseTo(1e-5, 12);
  }, 240_000);

  it('refuses learning-rate segments whose peak is outside (0, 1]', () => {
    expect(() => train(1, '0:4:1.5')).toThrow(/--segments '0:4:1.5': expected start:cosine_end\[:peak\]/);
  });
});
