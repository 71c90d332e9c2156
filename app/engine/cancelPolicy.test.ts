import { describe, expect, it } from 'vitest';
import { cancelAction } from './cancelPolicy';

describe('cancelAction', () => {
  it('posts where the worker checks between steps: image decode, resize, every generated token', () => {
    for (const phase of ['decode', 'resize', 'generate'] as const) expect(cancelAction(phase, false)).toBe('post');
  });
  it('restarts only inside single long runtime calls: load, encode, prefill', () => {
    for (const phase of ['load', 'encode', 'prefill'] as const) expect(cancelAction(phase, false)).toBe('restart');
  });
  it('posts for a run not started yet: it stops at its first check', () => {
    expect(cancelAction(null, false)).toBe('post');
  });
  it('posts for any request queued behind another, a load included: the worker drops it', () => {
    for (const phase of [null, 'load'] as const) expect(cancelAction(phase, true)).toBe('post');
  });
});
