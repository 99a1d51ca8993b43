/** Shared helpers of the io tests: temporary directories and the third-party data in ../shared. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared data directory (third-party files, read in place, never copied into the repo). */
export const sharedDir = path.resolve(repoRoot, '../shared');
export const nuwroSample = path.join(sharedDir, 'data/nuwro-real/nuwro-sample-ANL.root');
export const hasNuwroSample = existsSync(nuwroSample);
export const SKIP_SHARED = `skipped: ${nuwroSample} is absent (../shared not checked out next to the repo)`;

const dirs: string[] = [];

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'nugan-io-'));
  dirs.push(d);
  return d;
}

/** Names in a directory, hidden temporaries included (to prove nothing half-written remains). */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
