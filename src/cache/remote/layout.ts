/**
 * The remote cache's layout (docs/cache.md §6): content-addressed, so any server that stores files
 * under paths can host it.
 *
 *     <remote>/v1/keys/<k0k1>/<key>.json          one entry per cache key: the artifact's manifest.json
 *                                                 (verbatim text) and the list of its files with hashes
 *     <remote>/v1/cas/xxh64/<h0h1>/<hash hex>     file contents, by content hash: shared between keys
 *
 * An entry is published last, after every file it lists: a reader who finds the entry finds the files.
 * Entries are validated on read as strictly as local manifests; a path that would leave the artifact
 * directory is refused.
 */
import { validateManifest, type Manifest } from '../manifest.ts';

export const REMOTE_LAYOUT = 'v1';
export const ENTRY_SCHEMA = 1;

export interface RemoteFile {
  /** Path inside the artifact directory ('/'-separated). */
  readonly path: string;
  /** `xxh64:<16 hex>` of the content. */
  readonly hash: string;
  readonly bytes: number;
}

export interface RemoteEntry {
  readonly schema: typeof ENTRY_SCHEMA;
  readonly key: string;
  /** The artifact's manifest.json, byte for byte, so a pulled artifact is identical to the pushed one. */
  readonly manifest: string;
  /** Every file of the artifact except manifest.json. */
  readonly files: readonly RemoteFile[];
  /** When it was pushed, and by which nugan. */
  readonly pushed: { readonly at: string; readonly nugan: string };
}

export function entryPath(key: string): string {
  return `${REMOTE_LAYOUT}/keys/${key.slice(0, 2)}/${key}.json`;
}

const HASH_RE = /^xxh64:([0-9a-f]{16})$/;

export function blobPath(hash: string): string {
  const hex = HASH_RE.exec(hash)?.[1];
  if (!hex) throw new Error(`not an xxh64 content hash: ${hash}`);
  return `${REMOTE_LAYOUT}/cas/xxh64/${hex.slice(0, 2)}/${hex}`;
}

/** The directories (collections) above a path, outermost first: what MKCOL must create. */
export function parentCollections(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
}

function safeRelative(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..') && p !== 'manifest.json';
}

/** Parses and checks an entry fetched for `key`: the entry and its manifest, or what is wrong with it. */
export function parseEntry(text: string, key: string): { ok: true; entry: RemoteEntry; manifest: Manifest } | { ok: false; problem: string } {
  let e: Partial<RemoteEntry>;
  try {
    e = JSON.parse(text) as Partial<RemoteEntry>;
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
  }
  if (!e || typeof e !== 'object') return { ok: false, problem: 'not an object' };
  if (e.schema !== ENTRY_SCHEMA) return { ok: false, problem: `entry schema ${JSON.stringify(e.schema)}, expected ${ENTRY_SCHEMA}` };
  if (e.key !== key) return { ok: false, problem: `entry key ${String(e.key)} does not match its path` };
  if (typeof e.manifest !== 'string') return { ok: false, problem: "field 'manifest' must be the manifest's text" };
  if (!Array.isArray(e.files)) return { ok: false, problem: "field 'files' must be a list" };
  for (const [i, f] of e.files.entries()) {
    if (!f || typeof f.path !== 'string' || !safeRelative(f.path)) return { ok: false, problem: `files[${i}]: path ${JSON.stringify(f?.path)} is not a plain relative path inside the artifact` };
    if (typeof f.hash !== 'string' || !HASH_RE.test(f.hash)) return { ok: false, problem: `files[${i}] (${f.path}): hash must be xxh64:<16 hex digits>` };
    if (!Number.isInteger(f.bytes) || f.bytes < 0) return { ok: false, problem: `files[${i}] (${f.path}): bytes must be a non-negative integer` };
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(e.manifest);
  } catch (err) {
    return { ok: false, problem: `its manifest is not valid JSON (${(err as Error).message})` };
  }
  const problem = validateManifest(manifest);
  if (problem) return { ok: false, problem };
  const m = manifest as Manifest;
  if (m.key !== key) return { ok: false, problem: `its manifest is for key ${m.key}` };
  // Every file output must be listed with the manifest's own hash (a directory output is checked after download).
  const byPath = new Map(e.files.map((f) => [f.path, f]));
  for (const [name, out] of Object.entries(m.outputs)) {
    const f = byPath.get(out.path);
    const under = e.files.some((x) => x.path.startsWith(`${out.path}/`));
    if (!f && !under) return { ok: false, problem: `output '${name}' (${out.path}) has no files in the entry` };
    if (f && f.hash !== out.hash) return { ok: false, problem: `output '${name}' (${out.path}) is listed as ${f.hash} but its manifest says ${out.hash}` };
  }
  // Where the manifest lists the artifact's files itself (docs/cache.md §7), the entry must agree with it.
  for (const f of m.files ?? []) {
    const listed = byPath.get(f.path);
    if (!listed) return { ok: false, problem: `file ${f.path} of the manifest is not in the entry` };
    if (listed.hash !== f.hash || listed.bytes !== f.bytes) return { ok: false, problem: `file ${f.path} is listed as ${listed.bytes} bytes, ${listed.hash} but its manifest says ${f.bytes} bytes, ${f.hash}` };
  }
  return { ok: true, entry: e as RemoteEntry, manifest: m };
}
