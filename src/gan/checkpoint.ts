/**
 * Resumable training checkpoints: weights, Adam moments, the best weights so far and the history,
 * written so that a crash at any moment leaves either the previous checkpoint or the new one, whole.
 *
 * Each checkpoint is a directory `epoch-<n>/` (state.bin + state.json, the JSON carrying the bin's
 * length and sha256); a pointer file `current` (written atomically) names the complete one, and
 * older directories are removed after the pointer moves. A checkpoint that belongs to another run (the
 * fingerprint of options and data) is not resumed. One that the pointer names but whose files do not
 * match its JSON (truncated, altered, unreadable) is `damaged`: this writing order never produces one,
 * so it means the storage lost data, and the caller refuses to go on rather than quietly start over.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { hexDigest } from '../util/digest.ts';
import type { GanWeights } from './architecture.ts';
import type { GanState } from './engines/engine.ts';

export interface CheckpointMeta<H> {
  /** Identity of the run: only the same options and data resume. */
  fingerprint: string;
  epoch: number;
  history: H[];
  best: { epoch: number; score: number } | null;
  [key: string]: unknown;
}

interface StoredMeta<H> extends CheckpointMeta<H> {
  format: 'nugan-checkpoint';
  version: 1;
  step: number;
  sizes: { G: number; D: number };
  hasEma?: boolean;
  hasBest: boolean;
  bytes: number;
  sha256: string;
}

const POINTER = 'current';

/** Writes a checkpoint of `state` (and the best weights, when any) into `dir`. */
export async function saveCheckpoint<H>(dir: string, meta: CheckpointMeta<H>, state: GanState, best: GanWeights | null): Promise<void> {
  const parts = [state.weights.G, state.weights.D, state.moments.G.m, state.moments.G.v, state.moments.D.m, state.moments.D.v, ...(state.ema ? [state.ema] : []), ...(best ? [best.G, best.D] : [])];
  const total = parts.reduce((a, p) => a + p.length, 0);
  const blob = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    blob.set(p, off);
    off += p.length;
  }
  const bytes = new Uint8Array(blob.buffer);
  const name = `epoch-${meta.epoch}`;
  const target = path.join(dir, name);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const stored: StoredMeta<H> = { ...meta, format: 'nugan-checkpoint', version: 1, step: state.step, sizes: { G: state.weights.G.length, D: state.weights.D.length }, hasEma: state.ema !== undefined, hasBest: best !== null, bytes: bytes.length, sha256: hexDigest('sha256', bytes) };
  await writeFile(path.join(target, 'state.bin'), bytes);
  await writeFile(path.join(target, 'state.json'), JSON.stringify(stored));
  await writeFileAtomic(path.join(dir, POINTER), name);
  // The pointer has moved: older checkpoints are no longer needed.
  for (const entry of await readdir(dir)) if (entry.startsWith('epoch-') && entry !== name) await rm(path.join(dir, entry), { recursive: true, force: true });
}

/**
 * The checkpoint in `dir` if it is whole and belongs to `fingerprint`; undefined otherwise (none, from
 * another run, truncated or altered: `problem` says which, for the log).
 */
export async function loadCheckpoint<H>(dir: string, fingerprint: string): Promise<{ meta: CheckpointMeta<H>; state: GanState; best: GanWeights | null } | { problem: string; damaged: boolean } | undefined> {
  let name: string;
  try {
    name = (await readFile(path.join(dir, POINTER), 'utf8')).trim();
  } catch {
    return undefined;
  }
  try {
    const stored = JSON.parse(await readFile(path.join(dir, name, 'state.json'), 'utf8')) as StoredMeta<H>;
    if (stored.format !== 'nugan-checkpoint' || stored.version !== 1) return { problem: `${name}: not a nugan checkpoint`, damaged: true };
    if (stored.fingerprint !== fingerprint) return { problem: `${name}: made by a run with other options or data`, damaged: false };
    const bytes = await readFile(path.join(dir, name, 'state.bin'));
    if (bytes.length !== stored.bytes || hexDigest('sha256', bytes) !== stored.sha256) return { problem: `${name}: state.bin is damaged (${bytes.length} of ${stored.bytes} bytes, or its checksum differs)`, damaged: true };
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let off = 0;
    const take = (n: number) => data.slice(off, (off += n));
    const { G, D } = stored.sizes;
    const state: GanState = { weights: { G: take(G), D: take(D) }, moments: { G: { m: take(G), v: take(G) }, D: { m: take(D), v: take(D) } }, step: stored.step };
    if (stored.hasEma) state.ema = take(G);
    const best = stored.hasBest ? { G: take(G), D: take(D) } : null;
    const { format: _format, version: _version, step: _step, sizes: _sizes, hasEma: _hasEma, hasBest: _hasBest, bytes: _bytes, sha256: _sha256, ...meta } = stored;
    return { meta, state, best };
  } catch (err) {
    return { problem: `${name}: unreadable (${(err as Error).message.split('\n')[0]})`, damaged: true };
  }
}
