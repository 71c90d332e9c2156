import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../pipeline/protocol';
import { IDLE_LOAD, applyLoadEvent, readyModelId, startLoad } from './loadState';

const MODEL = { modelId: 'a', backend: 'wasm' } as LoadedModel;
const loadedA = applyLoadEvent(startLoad(IDLE_LOAD, 'r1', 'a'), { type: 'loaded', requestId: 'r1', model: MODEL });

describe('applyLoadEvent', () => {
  it('follows the load through its phases; a finished file keeps its size', () => {
    let load = startLoad(IDLE_LOAD, 'r1', 'a');
    expect(load.pending?.phase).toBeNull();
    load = applyLoadEvent(load, { type: 'load-phase', requestId: 'r1', phase: 'download', file: null });
    load = applyLoadEvent(load, { type: 'progress', requestId: 'r1', file: 'onnx/x.onnx', loaded: 10, total: 10, status: 'progress' });
    load = applyLoadEvent(load, { type: 'progress', requestId: 'r1', file: 'onnx/x.onnx', loaded: 0, total: 0, status: 'done' });
    expect(load.pending?.files['onnx/x.onnx']).toEqual({ loaded: 10, total: 10, done: true });
    expect(applyLoadEvent(load, { type: 'load-phase', requestId: 'r9', phase: 'session', file: 'onnx/x.onnx' }).pending?.phase).toEqual({ step: 'download', file: null });
    expect(applyLoadEvent(load, { type: 'load-phase', requestId: 'r1', phase: 'session', file: 'onnx/x.onnx' }).pending?.phase).toEqual({ step: 'session', file: 'onnx/x.onnx' });
  });
  it('a loaded model is ready', () => {
    expect(readyModelId(loadedA)).toBe('a');
    expect(loadedA.current).toMatchObject({ requestId: 'r1', modelId: 'a' });
  });
  it('a failed load of another model keeps the loaded one, and records the failure against the model that failed', () => {
    const failed = applyLoadEvent(startLoad(loadedA, 'r2', 'b'), { type: 'error', requestId: 'r2', error: { code: 'network', message: 'x' } });
    expect(readyModelId(failed)).toBe('a');
    expect(failed.error).toMatchObject({ code: 'network', modelId: 'b' });
  });
  it('a cancelled load of another model keeps the loaded one', () => {
    expect(readyModelId(applyLoadEvent(startLoad(loadedA, 'r2', 'b'), { type: 'cancelled', requestId: 'r2' }))).toBe('a');
  });
  it('a restart unloads the model until its reload ends: never ready in between', () => {
    const reloading = applyLoadEvent(loadedA, { type: 'reloading', requestId: 'r1', cause: 'stop' });
    expect(reloading.current).toBeNull();
    expect(reloading.pending).toMatchObject({ requestId: 'r1', modelId: 'a', cause: 'restart' });
    expect(readyModelId(reloading)).toBeNull();
    const progress = applyLoadEvent(reloading, { type: 'progress', requestId: 'r1', file: 'onnx/x.onnx', loaded: 5, total: 10, status: 'progress' });
    expect(readyModelId(progress)).toBeNull();
    expect(readyModelId(applyLoadEvent(progress, { type: 'loaded', requestId: 'r1', model: MODEL }))).toBe('a');
    const lost = applyLoadEvent(progress, { type: 'error', requestId: 'r1', error: { code: 'network', message: 'x' } });
    expect(lost.current).toBeNull();
  });
  it('while a new model loads, the previous one is not offered as ready', () => {
    expect(readyModelId(startLoad(loadedA, 'r2', 'b'))).toBeNull();
  });
});
