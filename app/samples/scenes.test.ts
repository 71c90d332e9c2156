import { describe, expect, it } from 'vitest';
import { generateScene, sceneQuestions } from '../scenes/scene';
import { POLICY_SAMPLES, SAMPLE_SCENES } from './scenes';

describe('sample scenes', () => {
  it('have unique, stable ids; the policy family comes first', () => {
    const ids = SAMPLE_SCENES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 3)).toEqual(['tags-7', 'tags-3', 'tags-12']);
    expect(ids).toContain('street-4k');
    expect(ids).toContain('shelf-6k');
  });

  it("ask the scene family's own open questions for their seeds (so the policy can answer them)", () => {
    for (const { seed, questions } of POLICY_SAMPLES) {
      const asked = sceneQuestions(generateScene(seed, 2)).filter((q) => q.options.length === 0).map((q) => q.question);
      for (const q of questions) expect(asked).toContain(q);
    }
  });
});
