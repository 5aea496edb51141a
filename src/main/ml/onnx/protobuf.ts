// A minimal protobuf writer for the subset of onnx.proto (ModelProto and what it holds) that our
// exporters emit. Hand-written because the only well-kept ONNX writers are Python (onnx, skl2onnx)
// and the JS protobuf runtimes would need the .proto compiled in; the subset here is ~20 fields.
// Field numbers follow onnx/onnx.proto (proto2). Repeated scalars are written packed, which every
// protobuf parser accepts for proto2 fields too.

/** Wire types (protobuf encoding spec). */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/** Growable byte buffer with the primitive protobuf encodings. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private readonly view = () => new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint of a non-negative safe integer, or any int64 via its two's complement. */
  varint(value: number | bigint): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
      if (value < 0) {
        this.varint(BigInt.asUintN(64, BigInt(value)));
        return;
      }
      this.ensure(10);
      let v = value;
      // Number arithmetic: bit operators would truncate to 32 bits.
      while (v >= 0x80) {
        this.buf[this.len++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.len++] = v;
      return;
    }
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  float32(value: number): void {
    this.ensure(4);
    this.view().setFloat32(this.len, value, true);
    this.len += 4;
  }

  float64(value: number): void {
    this.ensure(8);
    this.view().setFloat64(this.len, value, true);
    this.len += 8;
  }

  // Field helpers ---------------------------------------------------------------------------------

  int64Field(field: number, value: number | bigint): void {
    this.tag(field, VARINT);
    this.varint(value);
  }

  stringField(field: number, value: string): void {
    this.tag(field, LENGTH_DELIMITED);
    this.bytes(utf8.encode(value));
  }

  bytesField(field: number, value: Uint8Array): void {
    this.tag(field, LENGTH_DELIMITED);
    this.bytes(value);
  }

  floatField(field: number, value: number): void {
    this.tag(field, FIXED32);
    this.float32(value);
  }

  doubleField(field: number, value: number): void {
    this.tag(field, FIXED64);
    this.float64(value);
  }

  /** A nested message, encoded by `write` into its own writer and then length-delimited. */
  messageField(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.bytesField(field, inner.finish());
  }

  packedFloats(field: number, values: ArrayLike<number>): void {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(values.length * 4);
    this.ensure(values.length * 4);
    const view = this.view();
    for (let i = 0; i < values.length; i++) view.setFloat32(this.len + i * 4, values[i]!, true);
    this.len += values.length * 4;
  }

  packedInt64s(field: number, values: ArrayLike<number>): void {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]!);
    this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// onnx.proto subset -------------------------------------------------------------------------------

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values used here. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export type OnnxAttribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'floats'; value: ArrayLike<number> }
  | { name: string; type: 'ints'; value: ArrayLike<number> }
  | { name: string; type: 'strings'; value: readonly string[] };

export interface OnnxNode {
  opType: string;
  domain: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly OnnxAttribute[];
}

/** A dimension is a fixed size or a symbolic name (e.g. the batch 'N'). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: readonly OnnxDim[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: ReadonlyArray<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
  graph: OnnxGraph;
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.stringField(1, a.name);
  switch (a.type) {
    case 'float':
      w.floatField(2, a.value);
      w.int64Field(20, AttrType.FLOAT);
      break;
    case 'int':
      w.int64Field(3, a.value);
      w.int64Field(20, AttrType.INT);
      break;
    case 'string':
      w.bytesField(4, utf8.encode(a.value));
      w.int64Field(20, AttrType.STRING);
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      w.int64Field(20, AttrType.FLOATS);
      break;
    case 'ints':
      w.packedInt64s(8, a.value);
      w.int64Field(20, AttrType.INTS);
      break;
    case 'strings':
      for (const s of a.value) w.bytesField(9, utf8.encode(s));
      w.int64Field(20, AttrType.STRINGS);
      break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  w.stringField(3, n.name);
  w.stringField(4, n.opType);
  for (const a of n.attributes) w.messageField(5, (aw) => writeAttribute(aw, a));
  if (n.domain) w.stringField(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.stringField(1, v.name);
  // TypeProto { tensor_type = 1: TypeProto.Tensor { elem_type = 1, shape = 2: TensorShapeProto { dim = 1 } } }
  w.messageField(2, (tw) =>
    tw.messageField(1, (tt) => {
      tt.int64Field(1, v.elemType);
      tt.messageField(2, (sw) => {
        for (const d of v.shape) {
          sw.messageField(1, (dw) => (typeof d === 'number' ? dw.int64Field(1, d) : dw.stringField(2, d)));
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.messageField(1, (nw) => writeNode(nw, n));
  w.stringField(2, g.name);
  for (const i of g.inputs) w.messageField(11, (vw) => writeValueInfo(vw, i));
  for (const o of g.outputs) w.messageField(12, (vw) => writeValueInfo(vw, o));
}

/** Serialises a ModelProto. */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int64Field(1, m.irVersion);
  w.stringField(2, m.producerName);
  w.stringField(3, m.producerVersion);
  if (m.docString) w.stringField(6, m.docString);
  w.messageField(7, (gw) => writeGraph(gw, m.graph));
  for (const o of m.opsets) {
    w.messageField(8, (ow) => {
      if (o.domain) ow.stringField(1, o.domain);
      ow.int64Field(2, o.version);
    });
  }
  for (const [key, value] of Object.entries(m.metadata ?? {})) {
    w.messageField(14, (kw) => {
      kw.stringField(1, key);
      kw.stringField(2, value);
    });
  }
  return w.finish();
}

/** ONNX versions every exported model declares; onnxruntime-node 1.30 accepts them. */
export const ONNX_IR_VERSION = 8;
export const ONNX_DEFAULT_OPSET = 17;
export const ONNX_ML_OPSET = 3;
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';
