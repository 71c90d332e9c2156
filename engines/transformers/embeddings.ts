/**
 * Token embeddings looked up in the page instead of an `embed_tokens` ONNX session.
 *
 * Why: onnxruntime-web copies a session's weights into its own memory while the page still holds
 * the file, so a file costs twice its size while its session is created. A Qwen2-VL-2B embedding
 * table is one 933 MB tensor (three quarters of the model); kept here, as a view on the downloaded
 * bytes, it costs its size once, and every other session's file is dropped once its session exists.
 *
 * How: the embed_tokens graph is read (`onnxGraph.ts`) and evaluated row by row, one token at a
 * time, for a small set of operators whose results do not depend on other tokens: Gather of an
 * initializer by `input_ids` on axis 0, Cast to float32, Unsqueeze, Add/Sub/Mul/Div of float32 with
 * broadcasting, DequantizeLinear (per tensor or per last-axis element). That covers fp32 and fp16
 * tables (a plain Gather, as in the Hub exports and our fixtures) and 8-bit ones (gathered bytes and
 * their row scale, `(q - 128) * scale`, as `models:build` writes for q8/q4; or a Gather then
 * DequantizeLinear, as onnxruntime's dynamic quantization writes). Every float32 operation rounds as
 * IEEE single precision does (`Math.fround` of the exact double result is the correctly rounded
 * float for + - * /), so the rows are bit for bit what onnxruntime computes; `embeddings.test.ts`
 * checks that against onnxruntime-node for every dtype the fixtures write.
 *
 * Any other graph (another operator such as GatherBlockQuantized, float16 arithmetic, a table in
 * external data that is not given) is not recognised: `embeddingTable` returns null and the caller
 * creates the ORT session as before, so unknown exports still load.
 */
import { ONNX_TYPE, readOnnxGraph, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnxGraph';

export interface EmbeddingTable {
  /** Element type of `inputs_embeds` (float16 is returned as its bits). */
  readonly type: 'float32' | 'float16';
  readonly hidden: number;
  /** `[ids.length, hidden]` embeddings, row-major. Throws a RangeError for an id past the table. */
  lookup(ids: readonly number[]): Float32Array | Uint16Array;
}

type Elem = 'float32' | 'float16' | 'uint8' | 'int8' | 'int32' | 'int64';
/** One token's value of a graph value that depends on `input_ids` (float16 as bits). */
type Row = Float32Array | Uint16Array | Uint8Array | Int8Array | Int32Array;

type Value =
  | { readonly kind: 'ids' }
  | { readonly kind: 'const'; readonly elem: Elem; readonly dims: readonly number[]; readonly bytes: Uint8Array }
  /** Per token: `dims` are the dimensions after `[batch, sequence]`; `slot` indexes the token's rows. */
  | { readonly kind: 'row'; readonly elem: Elem; readonly dims: readonly number[]; readonly slot: number };
type RowValue = Extract<Value, { kind: 'row' }>;
type ConstValue = Extract<Value, { kind: 'const' }>;

const ELEM: Readonly<Record<number, Elem>> = {
  [ONNX_TYPE.float32]: 'float32',
  [ONNX_TYPE.float16]: 'float16',
  [ONNX_TYPE.uint8]: 'uint8',
  [ONNX_TYPE.int8]: 'int8',
  [ONNX_TYPE.int32]: 'int32',
  [ONNX_TYPE.int64]: 'int64',
};
const ELEM_BYTES: Readonly<Record<Elem, number>> = { float32: 4, float16: 2, uint8: 1, int8: 1, int32: 4, int64: 8 };

const ARRAY_OF: Readonly<Record<Elem, new (buffer: ArrayBuffer) => Row | BigInt64Array>> = {
  float32: Float32Array,
  float16: Uint16Array,
  uint8: Uint8Array,
  int8: Int8Array,
  int32: Int32Array,
  int64: BigInt64Array,
};

/** Copies `bytes` (possibly unaligned, inside a file) into a typed array of `elem`. */
function typed(elem: Elem, bytes: Uint8Array): Row | BigInt64Array {
  return new ARRAY_OF[elem](bytes.slice().buffer);
}

const size = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1);

/** IEEE binary16 bits to their (exact) float value. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** For each element of a `[...outDims]` row, the index of the element of `inDims` it reads when broadcast. */
function broadcastIndex(outDims: readonly number[], inDims: readonly number[]): Int32Array {
  const index = new Int32Array(size(outDims));
  const strides = inDims.map((_, i) => size(inDims.slice(i + 1)));
  for (let flat = 0; flat < index.length; flat++) {
    let rest = flat;
    let at = 0;
    for (let axis = outDims.length - 1; axis >= 0; axis--) {
      const coord = rest % outDims[axis]!;
      rest = Math.floor(rest / outDims[axis]!);
      if (inDims[axis] !== 1) at += coord * strides[axis]!;
    }
    index[flat] = at;
  }
  return index;
}

const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => Math.fround(a + b),
  Sub: (a, b) => Math.fround(a - b),
  Mul: (a, b) => Math.fround(a * b),
  Div: (a, b) => Math.fround(a / b),
};

/** Thrown while compiling a graph this module does not evaluate; becomes a null result. */
class Unsupported extends Error {}

function need(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Unsupported(what);
}

type Step = (id: number, rows: Row[]) => void;

class Compiler {
  readonly values = new Map<string, Value>();
  readonly steps: Step[] = [];
  slots = 0;

  constructor(
    graph: OnnxGraph,
    private readonly externalData: ReadonlyMap<string, Uint8Array>,
  ) {
    need(graph.inputs.length === 1, 'one graph input (input_ids)');
    this.values.set(graph.inputs[0]!, { kind: 'ids' });
    for (const [name, t] of graph.initializers) this.values.set(name, this.constant(t));
  }

  constant(t: OnnxTensor): ConstValue {
    const elem = ELEM[t.dataType];
    need(elem !== undefined, `tensor type ${t.dataType}`);
    const length = size(t.dims) * ELEM_BYTES[elem];
    let bytes = t.bytes;
    if (t.external) {
      const file = this.externalData.get(t.external.location);
      need(file !== undefined, `external data ${t.external.location}`);
      bytes = file.subarray(t.external.offset, t.external.offset + (t.external.length ?? length));
    }
    need(bytes !== null && bytes.length === length, `${t.name}: ${length} bytes`);
    return { kind: 'const', elem, dims: t.dims, bytes };
  }

  row(elem: Elem, dims: readonly number[], step: (id: number, rows: Row[]) => Row): RowValue {
    const slot = this.slots++;
    this.steps.push((id, rows) => {
      rows[slot] = step(id, rows);
    });
    return { kind: 'row', elem, dims, slot };
  }

  get(name: string | undefined): Value {
    const v = name === undefined || name === '' ? undefined : this.values.get(name);
    need(v !== undefined, `value ${name}`);
    return v;
  }

  ints(name: string | undefined): number[] {
    const v = this.get(name);
    need(v.kind === 'const' && v.elem === 'int64', 'int64 constant');
    return Array.from(typed('int64', v.bytes) as BigInt64Array, Number);
  }

  node(node: OnnxNode): void {
    need(node.domain === '' || node.domain === 'ai.onnx', `operator domain ${node.domain}`);
    need(node.outputs.length === 1, `${node.opType} with one output`);
    const attr = (name: string) => node.attributes.get(name);
    const intAttr = (name: string, fallback: number): number => {
      const a = attr(name);
      if (a === undefined) return fallback;
      need(a.kind === 'int', `${name} is an int`);
      return Number(a.value);
    };
    const [a, b, c] = [0, 1, 2].map((i) => (i < node.inputs.length && node.inputs[i] !== '' ? this.get(node.inputs[i]) : undefined));
    let out: Value;
    switch (node.opType) {
      case 'Identity':
        need(a !== undefined, 'Identity input');
        out = a;
        break;
      case 'Constant': {
        const value = attr('value');
        need(value?.kind === 'tensor', 'Constant with a tensor value');
        out = this.constant(value.value);
        break;
      }
      case 'Gather':
        out = this.gather(a, b, intAttr('axis', 0));
        break;
      case 'Cast': {
        need(a?.kind === 'row' && intAttr('to', 0) === ONNX_TYPE.float32, 'Cast of a row to float32');
        out = this.toFloat(a);
        break;
      }
      case 'Unsqueeze': {
        need(a?.kind === 'row', 'Unsqueeze of a row');
        const axesAttr = attr('axes');
        const axes = axesAttr?.kind === 'ints' ? axesAttr.value.map(Number) : this.ints(node.inputs[1]);
        const rank = 2 + a.dims.length + axes.length;
        const at = axes.map((x) => (x < 0 ? x + rank : x)).sort((x, y) => x - y);
        need(at.every((x) => x >= 2 && x < rank), 'Unsqueeze after [batch, sequence]');
        const dims = [...a.dims];
        for (const x of at) dims.splice(x - 2, 0, 1);
        out = { ...a, dims };
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
        out = this.arithmetic(node.opType, a, b);
        break;
      case 'DequantizeLinear':
        need(intAttr('block_size', 0) === 0, 'DequantizeLinear without blocks');
        out = this.dequantize(a, b, c, intAttr('axis', 1));
        break;
      default:
        throw new Unsupported(`operator ${node.opType}`);
    }
    this.values.set(node.outputs[0]!, out);
  }

  gather(data: Value | undefined, indices: Value | undefined, axis: number): RowValue {
    need(data?.kind === 'const' && indices?.kind === 'ids' && data.dims.length >= 1 && (axis === 0 || axis === -data.dims.length), 'Gather of a constant by input_ids on axis 0');
    const rows = data.dims[0]!;
    const dims = data.dims.slice(1);
    const rowBytes = size(dims) * ELEM_BYTES[data.elem];
    const table = data.bytes;
    const elem = data.elem;
    need(elem !== 'int64', 'Gather of int64');
    return this.row(elem, dims, (id) => {
      if (!(id >= 0 && id < rows)) throw new RangeError(`token id ${id} is past the ${rows} rows of the embedding table`);
      return typed(elem, table.subarray(id * rowBytes, (id + 1) * rowBytes)) as Row;
    });
  }

  toFloat(a: RowValue): RowValue {
    if (a.elem === 'float32') return a;
    need(a.elem !== 'int64', 'Cast from int64');
    const from = a.elem === 'float16' ? halfToFloat : (x: number) => x;
    return this.row('float32', a.dims, (_, rows) => Float32Array.from(rows[a.slot]!, from));
  }

  /** A float32 operand aligned to a row of `rank` dims: a row's own dims, or a constant's without its [batch, sequence] axes. */
  operand(v: Value | undefined, rank: number): { dims: number[]; read: (rows: Row[]) => Float32Array } {
    need(v !== undefined && v.kind !== 'ids' && v.elem === 'float32', 'float32 operand');
    if (v.kind === 'row') {
      need(v.dims.length === rank, 'rows of one rank');
      return { dims: [...v.dims], read: (rows) => rows[v.slot] as Float32Array };
    }
    need(v.dims.length <= rank + 2 && size(v.dims) <= 1 << 20, 'a small constant that broadcasts over a row');
    const padded = [...Array<number>(rank + 2 - v.dims.length).fill(1), ...v.dims];
    need(padded[0] === 1 && padded[1] === 1, 'a constant that does not span batch or sequence');
    const values = typed('float32', v.bytes) as Float32Array;
    return { dims: padded.slice(2), read: () => values };
  }

  arithmetic(op: string, a: Value | undefined, b: Value | undefined): RowValue {
    const rank = a?.kind === 'row' ? a.dims.length : b?.kind === 'row' ? b.dims.length : -1;
    need(rank >= 0, `${op} of a row`);
    const x = this.operand(a, rank);
    const y = this.operand(b, rank);
    const dims = x.dims.map((d, i) => Math.max(d, y.dims[i]!));
    need(dims.every((d, i) => (x.dims[i] === d || x.dims[i] === 1) && (y.dims[i] === d || y.dims[i] === 1)), `${op} shapes that broadcast`);
    const xi = broadcastIndex(dims, x.dims);
    const yi = broadcastIndex(dims, y.dims);
    const f = ARITHMETIC[op]!;
    return this.row('float32', dims, (_, rows) => {
      const xs = x.read(rows);
      const ys = y.read(rows);
      const out = new Float32Array(xi.length);
      for (let i = 0; i < out.length; i++) out[i] = f(xs[xi[i]!]!, ys[yi[i]!]!);
      return out;
    });
  }

  /** ONNX DequantizeLinear: y = (x - zero_point) * scale, per tensor or along one axis of the row. */
  dequantize(x: Value | undefined, scale: Value | undefined, zero: Value | undefined, axis: number): RowValue {
    need(x?.kind === 'row' && (x.elem === 'uint8' || x.elem === 'int8'), 'DequantizeLinear of 8-bit rows');
    need(scale?.kind === 'const' && scale.elem === 'float32', 'a float32 scale');
    need(zero === undefined || (zero.kind === 'const' && zero.elem === x.elem && size(zero.dims) === size(scale.dims)), 'a zero point like the scale');
    const scales = typed('float32', scale.bytes) as Float32Array;
    const zeros = zero?.kind === 'const' ? Array.from(typed(zero.elem, zero.bytes) as Row) : Array<number>(scales.length).fill(0);
    const rank = 2 + x.dims.length;
    const along = axis < 0 ? axis + rank : axis;
    let index: Int32Array;
    if (scales.length === 1 && scale.dims.length <= 1) index = new Int32Array(size(x.dims));
    else {
      need(scale.dims.length === 1 && along >= 2 && along < rank && x.dims[along - 2] === scales.length, 'a scale per element of one row axis');
      index = broadcastIndex(x.dims, x.dims.map((d, i) => (i === along - 2 ? d : 1)));
    }
    return this.row('float32', x.dims, (_, rows) => {
      const q = rows[x.slot]!;
      const out = new Float32Array(q.length);
      // onnxruntime subtracts in integers and multiplies once in float32, as the ONNX definition reads.
      for (let i = 0; i < out.length; i++) out[i] = Math.fround((q[i]! - zeros[index[i]!]!) * scales[index[i]!]!);
      return out;
    });
  }
}

/**
 * The embedding lookup of an embed_tokens ONNX file, or null when its graph is not one this module
 * evaluates exactly (then create the ORT session). `externalData` maps a file name (`X.onnx_data`,
 * as the model names it) to its bytes. The result keeps views on the tables it gathers from, and
 * copies of the small constants only, so the rest of `model` and of `externalData` can be dropped.
 */
export function embeddingTable(model: Uint8Array, externalData: ReadonlyMap<string, Uint8Array> = new Map()): EmbeddingTable | null {
  let graph: OnnxGraph;
  try {
    graph = readOnnxGraph(model);
  } catch {
    return null;
  }
  let compiler: Compiler;
  try {
    compiler = new Compiler(graph, externalData);
    for (const node of graph.nodes) compiler.node(node);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  if (graph.outputs.length !== 1) return null;
  const out = compiler.values.get(graph.outputs[0]!);
  if (out?.kind !== 'row' || out.dims.length !== 1 || (out.elem !== 'float32' && out.elem !== 'float16')) return null;
  const { steps, slots } = compiler;
  const hidden = out.dims[0]!;
  const type = out.elem;
  return {
    type,
    hidden,
    lookup(ids) {
      const result = type === 'float32' ? new Float32Array(ids.length * hidden) : new Uint16Array(ids.length * hidden);
      const rows = new Array<Row>(slots);
      ids.forEach((id, i) => {
        for (const step of steps) step(id, rows);
        // Rows of the output's element type: float32 values, or float16 bits (no conversion in between).
        result.set(rows[out.slot]!, i * hidden);
      });
      return result;
    },
  };
}
