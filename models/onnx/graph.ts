/**
 * A small ONNX graph builder: nodes, initializers and typed inputs/outputs, serialized to a
 * ModelProto with the writer in `protobuf.ts`. Field numbers are those of `onnx.proto`.
 */
import { ProtoWriter } from './protobuf';

export type ElemType = 'float32' | 'float16' | 'uint8' | 'int32' | 'int64' | 'bool';
/** A fixed size, or the name of a symbolic dimension (transformers.js reads some by name, e.g. `batch_size`). */
export type Dim = number | string;

const DATA_TYPE: Record<ElemType, number> = { float32: 1, float16: 10, uint8: 2, int32: 6, int64: 7, bool: 9 };

/**
 * Where large initializers go: chunk files `<baseName>_data`, `<baseName>_data_1`, ... (the names
 * transformers.js fetches), each at most `chunkBytes` unless one tensor alone is larger (a tensor is
 * never split: ONNX gives it one file and offset), tensors aligned to 4 KiB as exporters do.
 */
export interface ExternalLayout {
  readonly baseName: string;
  readonly chunkBytes: number;
  /** Initializers smaller than this stay inside the model file. */
  readonly threshold: number;
}

export interface SerializedModel {
  readonly model: Uint8Array;
  /** External data files: name and the byte ranges to write in order (zero-filled gaps included). */
  readonly chunks: readonly { readonly name: string; readonly parts: readonly Uint8Array[]; readonly bytes: number }[];
}

const EXTERNAL_ALIGN = 4096;

/** Attribute values: integer -> INT, integer[] -> INTS, string -> STRING, `{ f }` -> FLOAT. */
export type AttrValue = number | readonly number[] | string | { readonly f: number };

interface Node {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly domain: string;
}

interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly dims: readonly Dim[];
}

interface Initializer {
  readonly name: string;
  readonly type: ElemType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

export type TensorData = Float32Array | BigInt64Array | Uint8Array | Int32Array;

function rawBytes(data: TensorData): Uint8Array {
  // Typed arrays are little-endian on every platform this runs on, as ONNX raw_data requires.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function elemTypeOf(data: TensorData): ElemType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, type: ElemType, dims: readonly Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares graph output `name`, computed by `source`. */
  output(name: string, type: ElemType, dims: readonly Dim[], source: string): void {
    if (source !== name) this.nodes.push({ opType: 'Identity', inputs: [source], outputs: [name], attrs: {}, domain: '' });
    this.outputs.push({ name, type, dims });
  }

  /** A constant tensor stored in the file. */
  tensor(name: string, data: TensorData, dims: readonly number[]): string {
    this.initializers.push({ name, type: elemTypeOf(data), dims, raw: rawBytes(data) });
    return name;
  }

  /** A constant tensor of `type` from its little-endian bytes (float16 weights, for instance). */
  tensorBytes(name: string, type: ElemType, raw: Uint8Array, dims: readonly number[]): string {
    this.initializers.push({ name, type, dims, raw });
    return name;
  }

  /** Bytes of all initializers: decides whether a model needs external data (protobuf stops at 2 GiB). */
  initializerBytes(): number {
    return this.initializers.reduce((n, i) => n + i.raw.length, 0);
  }

  /** A small int64 constant (shapes, axes, indices). */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.tensor(this.fresh('const_i64'), BigInt64Array.from(values, BigInt), dims);
  }

  /** A small float constant. */
  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.tensor(this.fresh('const_f32'), Float32Array.from(values), dims);
  }

  /** Adds a node; returns its output names (`outputs` of them). */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    opts: { readonly outputs?: number; readonly domain?: string } = {},
  ): string[] {
    const outputs = Array.from({ length: opts.outputs ?? 1 }, () => this.fresh(opType));
    this.nodes.push({ opType, inputs, outputs, attrs, domain: opts.domain ?? '' });
    return outputs;
  }

  /** Adds a single-output node and returns that output. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, domain = ''): string {
    return this.node(opType, inputs, attrs, { domain })[0]!;
  }

  /** Serializes a ModelProto (IR 8, opset 17 plus `com.microsoft` for contrib ops such as MatMulNBits). */
  serialize(): Uint8Array {
    return this.serializeWith(null).model;
  }

  /** Serializes with initializers of at least `layout.threshold` bytes in external data chunks. */
  serializeWith(layout: ExternalLayout | null): SerializedModel {
    const placed = layout ? placeExternal(this.initializers, layout) : new Map<Initializer, ExternalPlace>();
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version
    w.string(2, 'ergo-lens-tiny-model-generator'); // producer_name
    w.message(7, (g) => this.writeGraph(g, placed));
    w.message(8, (o) => o.string(1, '').int(2, 17));
    w.message(8, (o) => o.string(1, 'com.microsoft').int(2, 1));
    return { model: w.finish(), chunks: layout ? chunkFiles(placed) : [] };
  }

  private writeGraph(g: ProtoWriter, external: ReadonlyMap<Initializer, ExternalPlace>): void {
    for (const node of this.nodes) g.message(1, (n) => writeNode(n, node));
    g.string(2, this.name);
    for (const init of this.initializers) {
      const place = external.get(init);
      g.message(5, (t) => {
        t.packedInts(1, init.dims);
        t.int(2, DATA_TYPE[init.type]);
        t.string(8, init.name);
        if (!place) {
          t.bytes(9, init.raw);
          return;
        }
        // TensorProto.external_data (13) as key/value entries, data_location (14) = EXTERNAL.
        for (const [key, value] of [['location', place.file], ['offset', String(place.offset)], ['length', String(init.raw.length)]]) {
          t.message(13, (e) => e.string(1, key!).string(2, value!));
        }
        t.int(14, 1);
      });
    }
    for (const value of this.inputs) g.message(11, (v) => writeValueInfo(v, value));
    for (const value of this.outputs) g.message(12, (v) => writeValueInfo(v, value));
  }
}

interface ExternalPlace {
  readonly chunk: number;
  readonly file: string;
  readonly offset: number;
}

const chunkName = (baseName: string, chunk: number): string => `${baseName}_data${chunk === 0 ? '' : `_${chunk}`}`;

/** Assigns large initializers to chunks in order, starting a new chunk when the next would overflow. */
function placeExternal(initializers: readonly Initializer[], layout: ExternalLayout): Map<Initializer, ExternalPlace> {
  const placed = new Map<Initializer, ExternalPlace>();
  let chunk = 0;
  let offset = 0;
  for (const init of initializers) {
    if (init.raw.length < layout.threshold) continue;
    const start = Math.ceil(offset / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    if (offset > 0 && start + init.raw.length > layout.chunkBytes) {
      chunk += 1;
      offset = 0;
    }
    const at = Math.ceil(offset / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    placed.set(init, { chunk, file: chunkName(layout.baseName, chunk), offset: at });
    offset = at + init.raw.length;
  }
  return placed;
}

function chunkFiles(placed: ReadonlyMap<Initializer, ExternalPlace>): SerializedModel['chunks'] {
  const files: { name: string; parts: Uint8Array[]; bytes: number }[] = [];
  for (const [init, place] of placed) {
    const file = (files[place.chunk] ??= { name: place.file, parts: [], bytes: 0 });
    if (place.offset > file.bytes) file.parts.push(new Uint8Array(place.offset - file.bytes));
    file.parts.push(init.raw);
    file.bytes = place.offset + init.raw.length;
  }
  return files;
}

function writeNode(n: ProtoWriter, node: Node): void {
  for (const input of node.inputs) n.string(1, input);
  for (const output of node.outputs) n.string(2, output);
  n.string(3, node.outputs[0]!);
  n.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attrs)) n.message(5, (a) => writeAttr(a, name, value));
  if (node.domain) n.string(7, node.domain);
}

function writeAttr(a: ProtoWriter, name: string, value: AttrValue): void {
  a.string(1, name);
  if (typeof value === 'number') a.int(3, value).int(20, 2);
  else if (typeof value === 'string') a.string(4, value).int(20, 3);
  else if ('f' in value) a.float(2, value.f).int(20, 1);
  else a.packedInts(8, value).int(20, 7);
}

function writeValueInfo(v: ProtoWriter, value: ValueInfo): void {
  v.string(1, value.name);
  v.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[value.type]);
      tensor.message(2, (shape) => {
        for (const dim of value.dims) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}
