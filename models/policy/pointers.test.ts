// The trainer's pointer targets, read back as text from real conversations (pointers_check.py).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'policy-pointers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('policy pointer targets', () => {
  it('name the target, the glyphs, and for options the letters and the matching tag', () => {
    const out = execFileSync('/usr/bin/python3', ['models/policy/pointers_check.py', dir], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    const counts = JSON.parse(out.trim().split('\n').pop()!) as { ergo: number; choice: number };
    expect(counts.ergo).toBeGreaterThan(5);
    expect(counts.choice).toBeGreaterThan(2);
  }, 120_000);
});
