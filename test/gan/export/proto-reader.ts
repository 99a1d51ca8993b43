/**
 * A protobuf wire-format reader for the tests: decodes one message level into (field, value) pairs,
 * so that a test can look inside an exported .onnx without the encoder's own code.
 */
export type WireValue = bigint | Uint8Array | number;

export function readFields(bytes: Uint8Array): { field: number; value: WireValue }[] {
  const out: { field: number; value: WireValue }[] = [];
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    switch (key & 7) {
      case 0:
        out.push({ field, value: varint() });
        break;
      case 2: {
        const n = Number(varint());
        out.push({ field, value: bytes.subarray(i, i + n) });
        i += n;
        break;
      }
      case 5:
        out.push({ field, value: new DataView(bytes.buffer, bytes.byteOffset + i, 4).getFloat32(0, true) });
        i += 4;
        break;
      default:
        throw new Error(`wire type ${key & 7} at byte ${i}`);
    }
  }
  return out;
}

export const text = (v: WireValue): string => new TextDecoder().decode(v as Uint8Array);
