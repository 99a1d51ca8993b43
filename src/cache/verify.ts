/**
 * Artifact verification (docs/cache.md §7): a cached artifact is used only while its files match its
 * manifest. The manifest lists every file of the artifact with its size, modification time and content
 * hash. Two depths:
 *
 * - `quick`, on every cache look-up: each file exists with its recorded size; a file whose modification
 *   time changed is re-hashed (a `touch` or a copy that did not keep times is not corruption; an edit
 *   is). Costs one stat per file on the no-op path.
 * - `full` (`nugan verify`, `nugan status --verify`): every file is re-hashed, which also finds damage
 *   that left size and time alone (a flipped bit on disk).
 *
 * Manifests written before files were listed are checked through their outputs (existence and size;
 * the output hashes with `full`).
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { hashFileContent, hashFileContentSync, listingHash, xxh } from './hash.ts';
import type { FileRecord, Manifest, OutputRecord } from './manifest.ts';
import type { ArtifactStore } from './store.ts';

export type VerifyMode = 'quick' | 'full';

/**
 * Times set back from a recorded value (a pulled artifact, `touch -r`) come back within a few
 * microseconds of it, not always bit for bit; an edit moves the time by far more.
 */
const MTIME_SLACK_MS = 0.5;

/** The regular files under `dir` in walk order (each level sorted by name), the manifest itself excepted. */
function walkFiles(dir: string): { path: string; bytes: number; mtimeMs: number }[] {
  const out: { path: string; bytes: number; mtimeMs: number }[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === 'manifest.json') continue;
      const st = statSync(join(dir, r), { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.push({ path: r, bytes: st.size, mtimeMs: st.mtimeMs });
    }
  };
  walk('');
  return out;
}

/** Every file of a finished stage directory with its size, time and content hash (what the manifest keeps). */
export async function recordFiles(dir: string): Promise<FileRecord[]> {
  await xxh(); // listingHash of the outputs made from these records hashes synchronously
  const files: FileRecord[] = [];
  for (const f of walkFiles(dir)) files.push({ ...f, hash: await hashFileContent(join(dir, f.path)) });
  return files;
}

/**
 * The manifest record of output `rel` (a path inside the artifact, '' for the whole directory) from the
 * artifact's file records: a file's own hash, or a directory's listing hash (`listingHash`). Undefined
 * when nothing is there.
 */
export function outputRecord(files: readonly FileRecord[], rel: string): OutputRecord | undefined {
  const file = files.find((f) => f.path === rel);
  if (file) return { path: rel, hash: file.hash, bytes: file.bytes };
  const prefix = rel === '' ? '' : `${rel}/`;
  const inside = files.filter((f) => f.path.startsWith(prefix));
  if (inside.length === 0) return undefined;
  return { path: rel, hash: listingHash(inside.map((f) => ({ rel: f.path.slice(prefix.length), hash: f.hash }))), bytes: inside.reduce((s, f) => s + f.bytes, 0) };
}

/** A recorded path that stays inside its artifact (a manifest is data: it must not point elsewhere). */
function inside(path: string): boolean {
  return !isAbsolute(path) && !normalize(path).split(sep).includes('..');
}

/** What is wrong with the files of the artifact in `dir` against its manifest, or undefined when they match. */
export function artifactProblem(dir: string, m: Manifest, mode: VerifyMode): string | undefined {
  if (!m.files) return legacyProblem(dir, m, mode);
  for (const f of m.files) {
    if (!inside(f.path)) return `the manifest lists a file outside the artifact: ${f.path}`;
    const abs = join(dir, f.path);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) return `${f.path} is missing`;
    if (!st.isFile()) return `${f.path} is no longer a file`;
    if (st.size !== f.bytes) return `${f.path} is ${st.size} bytes, its manifest says ${f.bytes}`;
    if (mode === 'full' || Math.abs(st.mtimeMs - f.mtimeMs) >= MTIME_SLACK_MS) {
      const hash = hashFileContentSync(abs);
      if (hash !== f.hash) return `${f.path} changed since the artifact was made (content ${hash}, its manifest says ${f.hash})`;
    }
  }
  return undefined;
}

/** Manifests without `files`: each output exists (with its size, for a file); output hashes with `full`. */
function legacyProblem(dir: string, m: Manifest, mode: VerifyMode): string | undefined {
  for (const [name, o] of Object.entries(m.outputs)) {
    if (!inside(o.path)) return `the manifest's output '${name}' lies outside the artifact: ${o.path}`;
    const st = statSync(join(dir, o.path), { throwIfNoEntry: false });
    if (!st) return `output '${name}' (${o.path}) is missing`;
    if (st.isFile() && st.size !== o.bytes) return `output '${name}' (${o.path}) is ${st.size} bytes, its manifest says ${o.bytes}`;
  }
  if (mode === 'quick') return undefined;
  const files = walkFiles(dir).map((f) => ({ ...f, hash: hashFileContentSync(join(dir, f.path)) }));
  for (const [name, o] of Object.entries(m.outputs)) {
    if (outputRecord(files, o.path)?.hash !== o.hash) return `output '${name}' (${o.path}) changed since the artifact was made`;
  }
  return undefined;
}

/** The state of a stored artifact: absent, intact (with its manifest), or corrupt (and why). */
export type ArtifactCheck =
  | { readonly state: 'absent' }
  | { readonly state: 'intact'; readonly manifest: Manifest }
  | { readonly state: 'corrupt'; readonly problem: string };

/** Reads and checks the artifact of `key`; moves nothing (the caller decides whether to quarantine). */
export function checkArtifact(store: ArtifactStore, key: string, mode: VerifyMode): ArtifactCheck {
  const m = store.readManifest(key);
  if (m === undefined) return { state: 'absent' };
  if (m instanceof Error) return { state: 'corrupt', problem: m.message };
  const problem = artifactProblem(store.artifactDir(key), m, mode);
  return problem ? { state: 'corrupt', problem } : { state: 'intact', manifest: m };
}
