import { describe, expect, it } from 'vitest';
import { findModel } from '../../pipeline/registry';
import { selectModel } from './actions';
import { DEFAULT_SETTINGS, useLens } from './lensStore';

describe('a model trained at its own budget', () => {
  it('brings its budget when picked, and leaving it restores the default (a budget the user chose stays)', () => {
    expect(findModel('ergo-tiny')?.budget).toBe(64);
    useLens.setState({ modelId: 'tiny-random-qwen2_5_vl', settings: { ...DEFAULT_SETTINGS, budget: 640 } });
    selectModel('ergo-tiny');
    expect(useLens.getState().settings.budget).toBe(64);
    selectModel('tiny-random-qwen2_5_vl');
    expect(useLens.getState().settings.budget).toBe(DEFAULT_SETTINGS.budget);
    useLens.setState({ settings: { ...useLens.getState().settings, budget: 640 } });
    selectModel('tiny-random-qwen2_vl');
    expect(useLens.getState().settings.budget).toBe(640);
  });
});
