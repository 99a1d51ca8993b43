import { describe, expect, it } from 'vitest';
import { ProtoMessage } from '../../../src/gan/export/protobuf.ts';

const hex = (m: ProtoMessage) => Buffer.from(m.toBytes()).toString('hex');

describe('the protobuf encoder', () => {
  it("writes the encoding guide's examples: field 1 = 150 is 08 96 01, field 2 = \"testing\" is 12 07 74 65 73 74 69 6e 67", () => {
    expect(hex(new ProtoMessage().int(1, 150))).toBe('089601');
    expect(hex(new ProtoMessage().string(2, 'testing'))).toBe('120774657374696e67');
  });

  it('writes a negative int64 as ten bytes of two’s complement, and a float as four little-endian bytes', () => {
    expect(hex(new ProtoMessage().int(3, -1))).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtoMessage().float(2, 1))).toBe('150000803f');
  });

  it('nests a message as a length-delimited field, keys above field 15 taking two bytes', () => {
    expect(hex(new ProtoMessage().message(20, new ProtoMessage().int(1, 1)))).toBe('a201020801');
  });

  it('refuses a non-integer where an integer field is expected', () => {
    expect(() => new ProtoMessage().int(1, 1.5)).toThrow(/not an integer/);
  });
});
