import { describe, expect, it } from 'vitest';
import { cancelAction } from './cancelPolicy';

describe('cancelAction', () => {
  it('posts during generation: the worker checks for cancel between tokens', () => {
    expect(cancelAction('generate', false)).toBe('post');
  });
  it('restarts during single long runtime calls', () => {
    for (const phase of ['load', 'decode', 'resize', 'encode', 'prefill'] as const) {
      expect(cancelAction(phase, false)).toBe('restart');
    }
  });
  it('posts for a request still waiting behind another (the worker drops it), restarts for the running one', () => {
    expect(cancelAction(null, true)).toBe('post');
    expect(cancelAction(null, false)).toBe('restart');
  });
});
