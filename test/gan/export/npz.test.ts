import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, npyBytes, npzBytes } from '../../../src/gan/export/npz.ts';
import { missingPython, runPython } from './python.ts';

describe('npz files', () => {
  it('use the standard CRC-32 (check value of "123456789" is cbf43926)', () => {
    expect(crc32(new TextEncoder().encode('123456789')).toString(16)).toBe('cbf43926');
  });

  it('start each .npy array at a multiple of 64 bytes, after a version 1.0 header naming dtype and shape', () => {
    for (const shape of [[3], [5, 16], [129, 2]]) {
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 7);
      const bytes = npyBytes({ name: 'a', shape, values });
      const headerLength = new DataView(bytes.buffer).getUint16(8, true);
      expect((10 + headerLength) % 64).toBe(0);
      const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
      expect(header).toMatch(new RegExp(`^\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(${shape.join(', ')}${shape.length === 1 ? ',' : ''}\\), \\} *\\n$`));
      expect(new Float32Array(bytes.slice(10 + headerLength).buffer)).toEqual(values);
    }
  });

  it('refuses values that do not fill the shape', () => {
    expect(() => npyBytes({ name: 'w', shape: [2, 3], values: new Float32Array(5) })).toThrow(/w: shape \[2,3\] holds 6 values, got 5/);
  });

  const skip = missingPython(['numpy'], 'pip install numpy');
  it.skipIf(skip)(`load in numpy with their names, shapes and float32 values, and pass zipfile's CRC check${skip ? ` (${skip})` : ''}`, () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'nugan-npz-')), 'w.npz');
    const arrays = [
      { name: 'g_dense_0.kernel', shape: [3, 2], values: Float32Array.from([1, -2, 3.5, 1e-8, -0, 65504]) },
      { name: 'g_dense_0.bias', shape: [2], values: Float32Array.from([0.1, Math.PI]) },
    ];
    writeFileSync(file, npzBytes(arrays));
    const out = JSON.parse(runPython(`
import json, sys, zipfile, numpy as np
f = np.load(sys.argv[1])
print(json.dumps({"crc": zipfile.ZipFile(sys.argv[1]).testzip(), "arrays": {k: {"dtype": str(f[k].dtype), "shape": list(f[k].shape), "values": f[k].ravel().tolist()} for k in f.files}}))`, [file]));
    expect(out.crc).toBeNull();
    expect(Object.keys(out.arrays)).toEqual(arrays.map((a) => a.name));
    for (const a of arrays) {
      expect(out.arrays[a.name]).toEqual({ dtype: 'float32', shape: a.shape, values: [...a.values] });
    }
  });
});
