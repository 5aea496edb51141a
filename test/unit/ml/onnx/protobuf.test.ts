import { describe, expect, it } from 'vitest';
import { encodeModel, OnnxDataType, ProtoWriter } from '../../../../src/main/ml/onnx/protobuf';

const bytesOf = (write: (w: ProtoWriter) => void): number[] => {
  const w = new ProtoWriter();
  write(w);
  return [...w.finish()];
};

describe('protobuf writer', () => {
  it('when writing varints then the bytes follow the protobuf encoding', () => {
    expect(bytesOf((w) => w.int64Field(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytesOf((w) => w.varint(300))).toEqual([0xac, 0x02]);
    expect(bytesOf((w) => w.varint(0))).toEqual([0x00]);
    // Beyond 32 bits the encoder must not truncate.
    expect(bytesOf((w) => w.varint(2 ** 35))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    // A negative int64 is ten bytes of two's complement.
    expect(bytesOf((w) => w.varint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('when writing strings, floats and packed arrays then lengths and little-endian values are right', () => {
    expect(bytesOf((w) => w.stringField(2, 'ab'))).toEqual([0x12, 0x02, 0x61, 0x62]);
    expect(bytesOf((w) => w.floatField(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(bytesOf((w) => w.packedFloats(7, [1, -2]))).toEqual([0x3a, 0x08, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    expect(bytesOf((w) => w.packedInt64s(8, [1, 300]))).toEqual([0x42, 0x03, 0x01, 0xac, 0x02]);
    expect(bytesOf((w) => w.messageField(7, (m) => m.int64Field(1, 1)))).toEqual([0x3a, 0x02, 0x08, 0x01]);
  });

  it('when a buffer grows past its first allocation then nothing is lost', () => {
    const values = Array.from({ length: 5000 }, (_, i) => i * 0.5);
    const out = bytesOf((w) => w.packedFloats(1, values));
    const view = new DataView(Uint8Array.from(out).buffer);
    // tag (1 byte) + length varint (3 bytes for 20000)
    expect(out.length).toBe(1 + 3 + 20000);
    expect(view.getFloat32(4 + 4 * 4999, true)).toBe(4999 * 0.5);
  });

  it('when encoding a model then it starts with ir_version and names its opsets', () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producerName: 'p',
      producerVersion: '1',
      graph: { name: 'g', nodes: [], inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, shape: ['N', 3] }], outputs: [] },
    });
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x08]);
    expect(Buffer.from(bytes).includes(Buffer.from('x'))).toBe(true);
  });
});
