/**
 * A minimal ONNX reader: the graph of a ModelProto (nodes, initializers, input and output names),
 * enough to recognise a small graph such as `embed_tokens` (`embeddings.ts`). Field numbers are
 * those of `onnx.proto`. Tensor bytes are views on the file, never copies: a 933 MB embedding table
 * stays where it was downloaded.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** ONNX TensorProto.DataType codes this project meets. */
export const ONNX_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 } as const;

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  /** Little-endian element bytes inside the file (raw_data), or built from the typed fields; null when external. */
  readonly bytes: Uint8Array | null;
  /** Where external data lives (`location` relative to the model file). */
  readonly external: { readonly location: string; readonly offset: number; readonly length: number | null } | null;
}

export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly bigint[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: OnnxTensor }
  | { readonly kind: 'other' };

export interface OnnxNode {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

export interface OnnxGraph {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

type Field = { readonly field: number; readonly wire: number; readonly int: bigint; readonly bytes: Uint8Array };

/** The varint at `pos` in `buf`, and the position after it. */
function varintAt(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [result, pos];
    shift += 7n;
  }
}

/** The fields of one message, in file order. Length-delimited values are views on `buf`. */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const empty = buf.subarray(0, 0);
  while (pos < buf.length) {
    const [key, afterKey] = varintAt(buf, pos);
    pos = afterKey;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === WIRE_VARINT) {
      const [int, next] = varintAt(buf, pos);
      pos = next;
      yield { field, wire, int, bytes: empty };
      continue;
    }
    let length: number;
    if (wire === WIRE_LEN) {
      const [n, next] = varintAt(buf, pos);
      pos = next;
      length = Number(n);
    } else if (wire === WIRE_FIXED32 || wire === WIRE_FIXED64) length = wire === WIRE_FIXED32 ? 4 : 8;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (pos + length > buf.length) throw new Error(`field ${field} runs past its message`);
    yield { field, wire, int: 0n, bytes: buf.subarray(pos, pos + length) };
    pos += length;
  }
}

/** Repeated varints, packed (one length-delimited field) or not (one field each). */
function varints(f: Field, into: bigint[]): void {
  if (f.wire === WIRE_VARINT) {
    into.push(f.int);
    return;
  }
  for (let pos = 0; pos < f.bytes.length; ) {
    const [value, next] = varintAt(f.bytes, pos);
    into.push(value);
    pos = next;
  }
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const signed = (v: bigint): bigint => BigInt.asIntN(64, v);

function readTensor(buf: Uint8Array): OnnxTensor {
  let name = '';
  let dataType = 0;
  const dims: bigint[] = [];
  let raw: Uint8Array | null = null;
  const floats: number[] = [];
  const ints: bigint[] = [];
  const external = new Map<string, string>();
  let location = 0n;
  for (const f of fields(buf)) {
    if (f.field === 1) varints(f, dims);
    else if (f.field === 2) dataType = Number(f.int);
    else if (f.field === 4) {
      // float_data: packed (one run of 4-byte floats) or one fixed32 field per value.
      const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
      for (let at = 0; at + 4 <= f.bytes.byteLength; at += 4) floats.push(view.getFloat32(at, true));
    }
    else if (f.field === 5 || f.field === 7) varints(f, ints);
    else if (f.field === 8) name = text(f.bytes);
    else if (f.field === 9) raw = f.bytes;
    else if (f.field === 13) {
      let key = '';
      let value = '';
      for (const e of fields(f.bytes)) {
        if (e.field === 1) key = text(e.bytes);
        else if (e.field === 2) value = text(e.bytes);
      }
      external.set(key, value);
    } else if (f.field === 14) location = f.int;
  }
  const shape = dims.map(Number);
  if (location === 1n) {
    const length = external.get('length');
    return { name, dataType, dims: shape, bytes: null, external: { location: external.get('location') ?? '', offset: Number(external.get('offset') ?? 0), length: length === undefined ? null : Number(length) } };
  }
  // Small constants may use the typed fields instead of raw_data: float_data (4), int32_data (5), int64_data (7).
  let bytes = raw;
  if (bytes === null && floats.length > 0) bytes = new Uint8Array(Float32Array.from(floats).buffer);
  else if (bytes === null && dataType === ONNX_TYPE.int64) bytes = new Uint8Array(BigInt64Array.from(ints.map(signed)).buffer);
  else if (bytes === null && dataType === ONNX_TYPE.int32) bytes = new Uint8Array(Int32Array.from(ints.map((v) => Number(BigInt.asIntN(32, v)))).buffer);
  else if (bytes === null && (dataType === ONNX_TYPE.float16 || dataType === ONNX_TYPE.uint8 || dataType === ONNX_TYPE.int8)) {
    // int32_data holds these types one value per entry (float16 as its bits).
    bytes = dataType === ONNX_TYPE.float16 ? new Uint8Array(Uint16Array.from(ints.map(Number)).buffer) : Uint8Array.from(ints.map(Number));
  }
  return { name, dataType, dims: shape, bytes: bytes ?? new Uint8Array(0), external: null };
}

function readAttribute(buf: Uint8Array): [string, OnnxAttribute] {
  let name = '';
  let attr: OnnxAttribute = { kind: 'other' };
  const ints: bigint[] = [];
  for (const f of fields(buf)) {
    if (f.field === 1) name = text(f.bytes);
    else if (f.field === 2) attr = { kind: 'float', value: new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true) };
    else if (f.field === 3) attr = { kind: 'int', value: signed(f.int) };
    else if (f.field === 4) attr = { kind: 'string', value: text(f.bytes) };
    else if (f.field === 5) attr = { kind: 'tensor', value: readTensor(f.bytes) };
    else if (f.field === 8) varints(f, ints);
  }
  if (ints.length > 0) attr = { kind: 'ints', value: ints.map(signed) };
  return [name, attr];
}

function readNode(buf: Uint8Array): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, OnnxAttribute>();
  let opType = '';
  let domain = '';
  for (const f of fields(buf)) {
    if (f.field === 1) inputs.push(text(f.bytes));
    else if (f.field === 2) outputs.push(text(f.bytes));
    else if (f.field === 4) opType = text(f.bytes);
    else if (f.field === 5) attributes.set(...readAttribute(f.bytes));
    else if (f.field === 7) domain = text(f.bytes);
  }
  return { opType, domain, inputs, outputs, attributes };
}

function valueName(buf: Uint8Array): string {
  for (const f of fields(buf)) if (f.field === 1) return text(f.bytes);
  return '';
}

/** The main graph of an ONNX ModelProto. Throws when the bytes are not one. */
export function readOnnxGraph(model: Uint8Array): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: string[] = [];
  const outputs: string[] = [];
  let found = false;
  for (const m of fields(model)) {
    if (m.field !== 7 || m.wire !== WIRE_LEN) continue;
    found = true;
    for (const g of fields(m.bytes)) {
      if (g.field === 1) nodes.push(readNode(g.bytes));
      else if (g.field === 5) {
        const t = readTensor(g.bytes);
        initializers.set(t.name, t);
      } else if (g.field === 11) inputs.push(valueName(g.bytes));
      else if (g.field === 12) outputs.push(valueName(g.bytes));
    }
  }
  if (!found) throw new Error('no graph in this ONNX file');
  // Initializers may also be listed as graph inputs (older exporters): they are not fed.
  return { nodes, initializers, inputs: inputs.filter((name) => !initializers.has(name)), outputs };
}
