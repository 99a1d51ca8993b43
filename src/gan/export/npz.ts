/**
 * NumPy `.npz` files: what `numpy.load` opens as a dict of arrays, written without numpy.
 *
 * Why by hand: the Keras export needs float32 arrays a Python user can load with numpy alone, and an
 * `.npz` is simple: a ZIP archive (PKWARE APPNOTE 6.3, "stored" entries, no compression) holding
 * one `<name>.npy` per array. A `.npy` (NumPy's format.py, version 1.0) is the magic `\x93NUMPY`,
 * the version bytes 1 0, a little-endian uint16 header length, an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (r, c), }` padded with spaces and ended by a
 * newline so that the data starts at a multiple of 64 bytes, then the values row-major.
 * Timestamps are fixed (1980-01-01, ZIP's epoch) so one model always gives the same bytes.
 */

/** One named float32 array, row-major. */
export interface NamedArray {
  name: string;
  shape: readonly number[];
  values: Float32Array;
}

/** The bytes of a `.npy` file holding `a` as little-endian float32. */
export function npyBytes(a: NamedArray): Uint8Array {
  const size = a.shape.reduce((x, y) => x * y, 1);
  if (size !== a.values.length) throw new RangeError(`${a.name}: shape [${a.shape}] holds ${size} values, got ${a.values.length}`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  header += ' '.repeat((64 - ((preamble + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(preamble + header.length + 4 * a.values.length);
  const view = new DataView(out.buffer);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  for (let i = 0; i < a.values.length; i++) view.setFloat32(preamble + header.length + 4 * i, a.values[i]!, true);
  return out;
}

/** CRC-32 (the IEEE 802.3 polynomial, reflected, 0xEDB88320) that ZIP stores for every entry. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** ZIP's DOS date of 1980-01-01 (day 1, month 1, year 0 from 1980); time 00:00:00. */
const DOS_DATE = (1 << 5) | 1;

/** The bytes of an `.npz` holding the arrays in order (numpy.load(f)[name]). */
export function npzBytes(arrays: readonly NamedArray[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const a of arrays) {
    const name = new TextEncoder().encode(`${a.name}.npy`);
    const data = npyBytes(a);
    const crc = crc32(data);
    // Local file header (signature 0x04034b50), then the name and the stored data.
    const local = new Uint8Array(30 + name.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(8, 0, true); // method: stored
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(data, 30 + name.length);
    // Central directory header (signature 0x02014b50) pointing at it.
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // version made by
    cv.setUint16(6, 20, true); // version needed
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((s, c) => s + c.length, 0);
  // End of central directory record (signature 0x06054b50).
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, arrays.length, true);
  ev.setUint16(10, arrays.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + end.length);
  let off = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}
