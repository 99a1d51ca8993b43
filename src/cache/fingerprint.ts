/**
 * Code fingerprint of a stage kind (docs/cache.md): xxhash over the source of its module and of every
 * module it imports through relative specifiers, transitively. Changing a stage's code (or a library
 * it uses) reruns that stage. Memoised by file stat so an unchanged tree is not re-read.
 *
 * Inside the esbuild single-file bundle there are no sources on disk: the bundle script calls
 * `computeFingerprintTable` at build time and injects the result as `globalThis.__NUGAN_FINGERPRINTS__`
 * (kind name → fingerprint), which `fingerprintOf` prefers when present.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageKind } from '../contract/stage.ts';
import { xxh } from './hash.ts';

export type CodeFingerprint = string & { readonly __brand: 'CodeFingerprint' };

declare global {
  // eslint-disable-next-line no-var
  var __NUGAN_FINGERPRINTS__: Record<string, string> | undefined;
}

const IMPORT_RE = /(?:^|[\s;}])(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

const fileMemo = new Map<string, { sig: string; hash: string; imports: string[] }>();

function fileInfo(path: string, h64: (s: string) => bigint): { hash: string; imports: string[] } {
  const st = statSync(path);
  const sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const memo = fileMemo.get(path);
  if (memo && memo.sig === sig) return memo;
  const text = readFileSync(path, 'utf8');
  const imports: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec && !spec.endsWith('.json')) imports.push(resolve(dirname(path), spec));
  }
  const info = { sig, hash: h64(text).toString(16), imports };
  fileMemo.set(path, info);
  return info;
}

/** Fingerprint of a module and its transitive relative imports (paths enter the hash relative to the module). */
export async function fingerprintModule(moduleUrl: string): Promise<CodeFingerprint> {
  const x = await xxh();
  const h64 = (s: string) => x.h64(s, 0n);
  const entry = fileURLToPath(moduleUrl);
  const root = dirname(entry);
  const seen = new Map<string, string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    let info;
    try {
      info = fileInfo(f, h64);
    } catch {
      seen.set(f, 'missing');
      continue;
    }
    seen.set(f, info.hash);
    stack.push(...info.imports);
  }
  const listing = [...seen.entries()].map(([f, h]) => `${relativeTo(root, f)}=${h}`).sort().join('\n');
  return `xxh64:${x.h64(listing, 0n).toString(16).padStart(16, '0')}` as CodeFingerprint;
}

function relativeTo(root: string, f: string): string {
  return f.startsWith(root) ? f.slice(root.length + 1) : f;
}

const kindMemo = new Map<string, Promise<CodeFingerprint>>();

/** The fingerprint of a stage kind: from the injected bundle table when present, else from its sources. */
export function fingerprintOf(kind: StageKind): Promise<CodeFingerprint> {
  const table = globalThis.__NUGAN_FINGERPRINTS__;
  if (table && table[kind.kind]) return Promise.resolve(table[kind.kind] as CodeFingerprint);
  let p = kindMemo.get(kind.moduleUrl);
  if (!p) {
    p = fingerprintModule(kind.moduleUrl);
    kindMemo.set(kind.moduleUrl, p);
  }
  return p;
}

/** For the bundle script: kind name → fingerprint, computed from the sources on disk. */
export async function computeFingerprintTable(kinds: readonly StageKind[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const k of kinds) out[k.kind] = await fingerprintModule(k.moduleUrl);
  return out;
}
