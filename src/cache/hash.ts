/**
 * Content hashing with xxhash-wasm (docs/cache.md). Digests are branded strings so a file hash can't be
 * passed where a cache key is expected (house rule 5).
 */
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import xxhash, { type XXHashAPI } from 'xxhash-wasm';
import { writeFileAtomicSync } from '../util/atomic.ts';

/** Hash of a file's content: `xxh64:<16 hex>`. */
export type ContentHash = string & { readonly __brand: 'ContentHash' };
/** Cache key of a stage instance: 32 hex digits (two xxh64 with different seeds). */
export type CacheKey = string & { readonly __brand: 'CacheKey' };

let api: Promise<XXHashAPI> | undefined;
let loaded: XXHashAPI | undefined;
/** The xxhash-wasm instance (compiled once per process). */
export function xxh(): Promise<XXHashAPI> {
  api ??= xxhash().then((a) => (loaded = a));
  return api;
}

/** The instance once `xxh()` has resolved, for synchronous callers (artifact verification). */
function xxhLoaded(): XXHashAPI {
  if (!loaded) throw new Error('xxhash-wasm is not loaded: await xxh() before hashing synchronously');
  return loaded;
}

const hex16 = (v: bigint) => v.toString(16).padStart(16, '0');

/** Synchronous hashing of strings, usable once `xxh()` has resolved. */
export interface Hasher {
  /** 128-bit key of a string (two independent 64-bit hashes: collisions over 10^6 artifacts stay negligible). */
  key(text: string): CacheKey;
  /** 32-bit unsigned hash (seed derivation). */
  h32(text: string): number;
}

export async function createHasher(): Promise<Hasher> {
  const x = await xxh();
  const encoder = new TextEncoder();
  return {
    key: (text) => {
      const bytes = encoder.encode(text); // encoded once for both hashes
      return (hex16(x.h64Raw(bytes, 0n)) + hex16(x.h64Raw(bytes, 0x9e3779b97f4a7c15n))) as CacheKey;
    },
    h32: (text) => x.h32(text, 0) >>> 0,
  };
}

/** Streams a file through xxh64 (never holds it in memory). */
export async function hashFileContent(path: string): Promise<ContentHash> {
  const x = await xxh();
  const h = x.create64(0n);
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  return `xxh64:${hex16(h.digest())}` as ContentHash;
}

/**
 * `hashFileContent` without yielding (artifact verification runs inside synchronous cache look-ups);
 * reads 4 MB at a time. Needs `await xxh()` first.
 */
let syncBuffer: Buffer | undefined;
export function hashFileContentSync(path: string): ContentHash {
  const h = xxhLoaded().create64(0n);
  // One buffer for every call: synchronous calls never overlap, and verifying many small files should
  // not allocate 4 MB each.
  const buf = (syncBuffer ??= Buffer.allocUnsafe(4 << 20));
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return `xxh64:${hex16(h.digest())}` as ContentHash;
}

/**
 * The hash of a directory output from its files' hashes, in walk order (each level sorted by name):
 * xxh64 of the lines `<path inside the directory>\t<file hash>`.
 */
export function listingHash(entries: readonly { rel: string; hash: string }[]): string {
  return `xxh64:${hex16(xxhLoaded().h64(entries.map((e) => `${e.rel}\t${e.hash}`).join('\n'), 0n))}`;
}

/**
 * Content hash of a stage output: a file's own hash, or for a directory `listingHash` of its files
 * (what the manifest records for each output).
 */
export async function hashOutput(abs: string): Promise<{ hash: string; bytes: number }> {
  const st = statSync(abs);
  if (!st.isDirectory()) return { hash: await hashFileContent(abs), bytes: st.size };
  const entries: { rel: string; hash: string }[] = [];
  let bytes = 0;
  const walk = async (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) await walk(p);
      else {
        entries.push({ rel: relative(abs, p), hash: await hashFileContent(p) });
        bytes += s.size;
      }
    }
  };
  await walk(abs);
  await xxh();
  return { hash: listingHash(entries), bytes };
}

interface MemoEntry {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  hash: ContentHash;
}

/**
 * File hashes memoised by device/inode/size/mtime (docs/cache.md): an unchanged file is never re-read,
 * a touched file is re-read but keeps its hash when its content did not change. The memo persists in
 * one JSON file in the store so later runs benefit too.
 */
export class FileHashMemo {
  private entries = new Map<string, MemoEntry>();
  private dirty = false;

  constructor(private readonly memoFile?: string) {
    if (!memoFile) return;
    try {
      const data = JSON.parse(readFileSync(memoFile, 'utf8')) as Record<string, MemoEntry>;
      for (const [k, v] of Object.entries(data)) if (v && typeof v.hash === 'string') this.entries.set(k, v);
    } catch {
      // Missing or unreadable memo: start empty, hashes are recomputed.
    }
  }

  /** Content hash of `path` (absolute); throws the fs error when the file is missing. */
  async hash(path: string): Promise<ContentHash> {
    const st = statSync(path, { bigint: false });
    const memo = this.entries.get(path);
    if (memo && memo.dev === st.dev && memo.ino === st.ino && memo.size === st.size && memo.mtimeMs === st.mtimeMs) {
      return memo.hash;
    }
    const hash = await hashFileContent(path);
    this.entries.set(path, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, hash });
    this.dirty = true;
    return hash;
  }

  /** Writes the memo atomically (a concurrent writer's entries may be lost: the memo is only a cache). */
  save(): void {
    if (!this.memoFile || !this.dirty) return;
    try {
      mkdirSync(dirname(this.memoFile), { recursive: true });
      writeFileAtomicSync(this.memoFile, JSON.stringify(Object.fromEntries(this.entries)));
      this.dirty = false;
    } catch {
      // A store that cannot be written (read-only, full): the memo is only a cache, hashes are recomputed next time.
    }
  }
}
