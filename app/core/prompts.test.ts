import { describe, expect, it } from 'vitest';
import { ERGO_DEMO_PROMPTS, ERGO_PROMPTS, HRBENCH_POSTFIX, VSTAR_POSTFIX } from './prompts';

describe('ERGO_PROMPTS (byte-exact protocol strings)', () => {
  it('system prompt', () => {
    expect(ERGO_PROMPTS.system).toBe(
      'You are a helpful assistant. Given an image and one question. First, identify the coordinates of the key image area relevant to solving the problem. Append the coordinates in [x1, y1, x2, y2] format at the end of your response and stop. This will trigger cropping of the corresponding area in the original image and enlarge it for improved clarity. Once the enlarged image is available, provide the final answer.',
    );
  });
  it('coarse and fine turn texts', () => {
    expect(ERGO_PROMPTS.coarse('What color is the car?')).toBe(
      "What color is the car? First, consider how to zoom in on the image to include only the region containing all the information necessary to answer the question. Output the thinking process in <think> </think> tags and then output the region's bounding box coordinates in the following format <zoom>[x1, y1, x2, y2]</zoom> tags.",
    );
    expect(ERGO_PROMPTS.fine('Q?')).toBe(
      'Q?\nCarefully analyze both the original image and the enlarged sub-image to solve the question step by step. Present your reasoning clearly the following format strictly <think> ... <think>, and provide the final answer enclosed within <answer> ... </answer>',
    );
    expect(ERGO_DEMO_PROMPTS.fine('Q?')).toContain('strictly <think> ... </think>, and');
  });
  it('benchmark postfixes differ by a leading space', () => {
    expect(HRBENCH_POSTFIX).toBe(' ' + VSTAR_POSTFIX);
  });
});
