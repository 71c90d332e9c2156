import { describe, expect, it } from 'vitest';
import { dtypesForFolder } from './folderDtypes';

const preferred = { embed_tokens: 'fp32', vision_encoder: 'q8', decoder_model_merged: 'q4' } as const;

describe('dtypesForFolder', () => {
  it('keeps the preferred dtype when its file is present', () => {
    const paths = new Set(['onnx/embed_tokens.onnx', 'onnx/vision_encoder_quantized.onnx', 'onnx/decoder_model_merged_q4.onnx']);
    expect(dtypesForFolder(preferred, paths)).toEqual({ ok: true, dtypes: preferred });
  });
  it('falls back within the same activation type', () => {
    const paths = new Set(['onnx/embed_tokens.onnx', 'onnx/vision_encoder_q4.onnx', 'onnx/vision_encoder.onnx', 'onnx/decoder_model_merged.onnx']);
    expect(dtypesForFolder(preferred, paths)).toEqual({ ok: true, dtypes: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'fp32' } });
  });
  it('names the file it could not find', () => {
    const result = dtypesForFolder(preferred, new Set(['onnx/embed_tokens.onnx', 'onnx/vision_encoder.onnx', 'onnx/decoder_model_merged_fp16.onnx']));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.missing).toContain('decoder_model_merged_q4.onnx');
  });
  it('switches a whole folder of fp16/q4f16 files to them where the device runs float16', () => {
    const paths = new Set(['onnx/embed_tokens_fp16.onnx', 'onnx/vision_encoder_q4f16.onnx', 'onnx/decoder_model_merged_q4f16.onnx']);
    expect(dtypesForFolder(preferred, paths, true)).toEqual({ ok: true, dtypes: { embed_tokens: 'fp16', vision_encoder: 'q4f16', decoder_model_merged: 'q4f16' } });
    // WebGPU without shader-f16 cannot: the fp32-activation file is named as missing.
    expect(dtypesForFolder(preferred, paths, false)).toMatchObject({ ok: false, missing: expect.stringContaining('onnx/embed_tokens.onnx') });
  });
  it('switches away from float16 when an f16 device gets a folder without f16 files', () => {
    const half = { embed_tokens: 'fp16', vision_encoder: 'q4f16', decoder_model_merged: 'q4f16' } as const;
    const paths = new Set(['onnx/embed_tokens.onnx', 'onnx/vision_encoder_q4.onnx', 'onnx/decoder_model_merged_q4.onnx']);
    expect(dtypesForFolder(half, paths)).toEqual({ ok: true, dtypes: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' } });
  });
});
