import { beforeEach, describe, expect, it } from 'vitest';
import { findModel } from '../../pipeline/registry';
import { openShareLink, selectModel } from './actions';
import { DEFAULT_MODEL_ID, DEFAULT_SETTINGS, useLens } from './lensStore';

beforeEach(() => useLens.setState(useLens.getInitialState(), true));

describe('the model the app starts on', () => {
  it('is the built-in policy, at the 64-token budget it was trained at', () => {
    expect(DEFAULT_MODEL_ID).toBe('ergo-tiny');
    const entry = findModel(DEFAULT_MODEL_ID)!;
    expect(entry).toMatchObject({ builtIn: true, randomWeights: false, budget: 64 });
    expect(useLens.getState()).toMatchObject({ modelId: 'ergo-tiny', settings: { ...DEFAULT_SETTINGS, budget: 64 } });
  });

  it('stays when a share link names no model; a link naming another model gets that model\'s budget', async () => {
    await openShareLink('?q=What%20is%20it%3F');
    expect(useLens.getState()).toMatchObject({ modelId: 'ergo-tiny', question: 'What is it?', settings: { budget: 64 } });
    await openShareLink('?model=tiny-random-qwen2_5_vl');
    expect(useLens.getState()).toMatchObject({ modelId: 'tiny-random-qwen2_5_vl', settings: { budget: DEFAULT_SETTINGS.budget } });
    // A budget the link carries wins over the model's.
    await openShareLink('?model=ergo-tiny&budget=640');
    expect(useLens.getState()).toMatchObject({ modelId: 'ergo-tiny', settings: { budget: 640 } });
  });
});

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
