/**
 * The protocol-buffers wire format, encoding only: just enough to write an ONNX model (onnx-proto.ts).
 *
 * Why not a library: ONNX needs five field kinds (varint integers, 32-bit floats, strings, bytes and
 * nested messages), all written once, front to back. protobufjs or google-protobuf would bring a
 * schema compiler or a runtime reflection layer for that; this file is the whole of what is used.
 *
 * Wire format (protobuf's "Encoding" guide): each field is a key varint (field number << 3 | wire
 * type) then its value: wire type 0 a base-128 varint (little-endian groups of 7 bits, high bit set
 * on every byte but the last; negative int64 as their 64-bit two's complement, ten bytes), 2 a varint
 * length then that many bytes (strings, bytes, nested messages), 5 four little-endian bytes (float).
 * Fields are written in the order the caller adds them; readers accept any order.
 */

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Base-128 varint of a non-negative integer below 2^64, or a negative int64 as two's complement. */
function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** One message being written: add fields in order, then `bytes()`. */
export class ProtoMessage {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array | number[]): void {
    const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    this.parts.push(b);
    this.length += b.length;
  }

  private key(field: number, wireType: number): void {
    this.push(varint((field << 3) | wireType));
  }

  /** An int32/int64/enum field (wire type 0). */
  int(field: number, value: number | bigint): this {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`field ${field}: ${value} is not an integer`);
    this.key(field, VARINT);
    this.push(varint(value));
    return this;
  }

  /** A float field (wire type 5), rounded to float32. */
  float(field: number, value: number): this {
    this.key(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** A bytes field (wire type 2). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.push(varint(value.length));
    this.push(value);
    return this;
  }

  /** A string field: its UTF-8 bytes. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message field. */
  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.toBytes());
  }

  /** The encoded message. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}
