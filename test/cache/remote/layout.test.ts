/**
 * Remote entries are checked as strictly as local manifests (docs/cache.md §6.1): an entry that would
 * write outside the artifact, or disagrees with its own manifest, is refused before any download.
 */
import { describe, expect, it } from 'vitest';
import { blobPath, entryPath, parentCollections, parseEntry } from '../../../src/cache/remote/layout.ts';

const key = 'ab'.padEnd(32, '0');
const hash = 'xxh64:0123456789abcdef';
const manifest = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    schema: 1, id: 'data', kind: 'command', key, keyData: {}, params: {}, seed: 0, inputs: {},
    outputs: { events: { path: 'events.bin', hash, bytes: 10 } },
    summary: {}, timings: { started: '', finished: '', seconds: 0 }, versions: { nugan: '0', node: '', platform: '' }, executor: {}, pipeline: 'p.yaml',
    ...over,
  });
const entry = (files: unknown, m = manifest()) => JSON.stringify({ schema: 1, key, manifest: m, files, pushed: { at: '', nugan: '0' } });

describe('remote layout', () => {
  it('names entries by key and files by content hash, with the collections MKCOL must make', () => {
    expect(entryPath(key)).toBe(`v1/keys/ab/${key}.json`);
    expect(blobPath(hash)).toBe('v1/cas/xxh64/01/0123456789abcdef');
    expect(parentCollections(blobPath(hash))).toEqual(['v1/', 'v1/cas/', 'v1/cas/xxh64/', 'v1/cas/xxh64/01/']);
  });

  it('accepts an entry whose files cover its manifest outputs with the same hashes', () => {
    const r = parseEntry(entry([{ path: 'events.bin', hash, bytes: 10 }]), key);
    expect(r.ok).toBe(true);
  });

  it('refuses paths that leave the artifact, wrong hashes, another key and outputs without files, saying which', () => {
    const problem = (text: string, k = key) => {
      const r = parseEntry(text, k);
      return r.ok ? 'accepted' : r.problem;
    };
    expect(problem(entry([{ path: '../../etc/cron.d/x', hash, bytes: 1 }]))).toMatch(/files\[0\]: path "..\/..\/etc\/cron.d\/x" is not a plain relative path/);
    expect(problem(entry([{ path: '/etc/passwd', hash, bytes: 1 }]))).toMatch(/not a plain relative path/);
    expect(problem(entry([{ path: 'manifest.json', hash, bytes: 1 }]))).toMatch(/not a plain relative path/);
    expect(problem(entry([{ path: 'events.bin', hash: 'xxh64:ffffffffffffffff', bytes: 10 }]))).toMatch(/output 'events' \(events.bin\) is listed as xxh64:f+ but its manifest says xxh64:0123/);
    expect(problem(entry([]))).toMatch(/output 'events' \(events.bin\) has no files in the entry/);
    expect(problem(entry([{ path: 'events.bin', hash, bytes: 10 }]), 'cd'.padEnd(32, '0'))).toMatch(/entry key ab0+ does not match its path/);
    expect(problem(entry([{ path: 'events.bin', hash, bytes: 10 }], manifest({ key: 'ef'.padEnd(32, '0') })))).toMatch(/its manifest is for key ef0+/);
    expect(problem('{"schema": 2}')).toMatch(/entry schema 2, expected 1/);
  });
});
