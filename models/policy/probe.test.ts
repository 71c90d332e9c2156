// The reading probe (probe.py) on the committed checkpoint: teacher-forced, a few held-out scenes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'policy-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Count = { right: number; of: number };

describe('policy reading probe', () => {
  it('counts the tag characters and option letters the committed checkpoint reads from the crop', () => {
    const out = execFileSync('/usr/bin/python3', ['models/policy/probe.py', '--scenes', '6', '--limit', '8', '--work', dir], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    const counts = JSON.parse(out.trim().split('\n').pop()!) as Record<'first' | 'second' | 'option' | 'side_second', Count>;
    for (const { right, of } of Object.values(counts)) expect(right).toBeLessThanOrEqual(of);
    expect(counts.first.of).toBeGreaterThan(2);
    expect(counts.option.of).toBeGreaterThan(0);
    // Every two-character tag's second glyph has a token, where the vision encoder is asked too.
    expect(counts.second.of).toBeGreaterThan(0);
    expect(counts.side_second.of).toBe(counts.second.of);
    // A trained reader, not chance (1 in 36 characters): the committed checkpoint reads most first characters.
    expect(counts.first.right).toBeGreaterThan(counts.first.of / 2);
  }, 120_000);
});
