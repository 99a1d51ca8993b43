/** Content hashing, the file-hash memo, canonical JSON and code fingerprints. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/cache/canonical.ts';
import { fingerprintModule } from '../../src/cache/fingerprint.ts';
import { createHasher, FileHashMemo, hashFileContent } from '../../src/cache/hash.ts';

let dir: string;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'nugan-hash-')));

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members, so equal values serialize identically', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: 'q' } })).toBe('{"a":{"c":"q","d":[1,{"x":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('hashing', () => {
  it('keys are 32 hex digits and change with any change of the text', async () => {
    const h = await createHasher();
    expect(h.key('a')).toMatch(/^[0-9a-f]{32}$/);
    expect(h.key('a')).not.toBe(h.key('b'));
  });

  it('the memo re-reads a touched file but returns the same hash when its content is unchanged, and a new one when it changed', async () => {
    fresh();
    const f = join(dir, 'in.txt');
    writeFileSync(f, 'one');
    const memo = new FileHashMemo(join(dir, 'memo.json'));
    const h1 = await memo.hash(f);
    expect(h1).toBe(await hashFileContent(f));
    const later = new Date(Date.now() + 10_000);
    utimesSync(f, later, later);
    expect(await memo.hash(f)).toBe(h1);
    writeFileSync(f, 'two');
    expect(await memo.hash(f)).not.toBe(h1);
  });

  it('a memoised hash is answered from the memo without reading the file, also from a saved memo', async () => {
    fresh();
    const f = join(dir, 'in.txt');
    writeFileSync(f, 'content');
    const memoFile = join(dir, 'memo.json');
    const memo = new FileHashMemo(memoFile);
    const h = await memo.hash(f);
    memo.save();
    // Poison the saved memo: if the second memo used it (stat unchanged), it returns the poisoned value.
    const saved = JSON.parse(readFileSync(memoFile, 'utf8'));
    saved[f].hash = 'xxh64:poisoned';
    writeFileSync(memoFile, JSON.stringify(saved));
    expect(await new FileHashMemo(memoFile).hash(f)).toBe('xxh64:poisoned');
    expect(h).not.toBe('xxh64:poisoned');
  });
});

describe('code fingerprints', () => {
  it('change when a transitively imported local module changes, and not otherwise', async () => {
    fresh();
    writeFileSync(join(dir, 'kind.ts'), "import { f } from './lib.ts';\nexport const k = f;\n");
    writeFileSync(join(dir, 'lib.ts'), "export { g as f } from './deep.ts';\n");
    writeFileSync(join(dir, 'deep.ts'), 'export const g = 1;\n');
    const url = pathToFileURL(join(dir, 'kind.ts')).href;
    const a = await fingerprintModule(url);
    expect(await fingerprintModule(url)).toBe(a);
    writeFileSync(join(dir, 'deep.ts'), 'export const g = 2;\n');
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'deep.ts'), later, later);
    expect(await fingerprintModule(url)).not.toBe(a);
  });
});
