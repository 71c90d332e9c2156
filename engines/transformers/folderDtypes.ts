/**
 * dtypes for a model folder the user picked: exports ship different subsets of precisions, so the
 * registry's preferred dtype per file is kept when its file is there, else the closest one present.
 */
import type { Dtype, DtypeMap, OnnxFile } from '../../pipeline/registry';

/** File-name suffix transformers.js uses for each dtype (`onnx/<file><suffix>.onnx`). */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };

/**
 * Fallback order per activation type. Image features are copied into the text embeddings without a
 * cast, so a file never changes between fp32-activation dtypes (fp32, q8, q4) and fp16 ones.
 */
const ALTERNATIVES: Readonly<Record<Dtype, readonly Dtype[]>> = {
  fp32: ['fp32', 'q8', 'q4'],
  q8: ['q8', 'q4', 'fp32'],
  q4: ['q4', 'q8', 'fp32'],
  fp16: ['fp16', 'q4f16'],
  q4f16: ['q4f16', 'fp16'],
};

export type FolderDtypes = { readonly ok: true; readonly dtypes: DtypeMap } | { readonly ok: false; readonly missing: string };

/** The other activation family's counterpart of each dtype (fp32 <-> fp16, 8/4-bit <-> q4f16). */
const OTHER_FAMILY: Readonly<Record<Dtype, Dtype>> = { fp32: 'fp16', q8: 'q4f16', q4: 'q4f16', fp16: 'fp32', q4f16: 'q4' };

/**
 * Chooses, per ONNX file, the preferred dtype if `paths` has it, else the nearest present one. A
 * folder with no file of the preferred activation type (an export of fp16/q4f16 files only, say)
 * switches every file to the other type when `allowHalf` says the device runs float16 tensors
 * (wasm does; WebGPU only with shader-f16), or when the switch is away from float16.
 */
export function dtypesForFolder(preferred: DtypeMap, paths: ReadonlySet<string>, allowHalf = false): FolderDtypes {
  const first = pick(preferred, paths);
  if (first.ok) return first;
  const towardHalf = preferred.embed_tokens === 'fp32' || preferred.embed_tokens === 'q8' || preferred.embed_tokens === 'q4';
  if (towardHalf && !allowHalf) return first;
  const swapped: DtypeMap = {
    embed_tokens: OTHER_FAMILY[preferred.embed_tokens],
    vision_encoder: OTHER_FAMILY[preferred.vision_encoder],
    decoder_model_merged: OTHER_FAMILY[preferred.decoder_model_merged],
  };
  const second = pick(swapped, paths);
  return second.ok ? second : first;
}

function pick(preferred: DtypeMap, paths: ReadonlySet<string>): FolderDtypes {
  const chosen: Partial<Record<OnnxFile, Dtype>> = {};
  for (const [file, dtype] of Object.entries(preferred) as [OnnxFile, Dtype][]) {
    const found = ALTERNATIVES[dtype].find((d) => paths.has(`onnx/${file}${DTYPE_SUFFIX[d]}.onnx`));
    if (!found) return { ok: false, missing: `onnx/${file}${DTYPE_SUFFIX[dtype]}.onnx (or ${ALTERNATIVES[dtype].slice(1).map((d) => `${file}${DTYPE_SUFFIX[d]}.onnx`).join(', ')})` };
    chosen[file] = found;
  }
  return { ok: true, dtypes: chosen as DtypeMap };
}
