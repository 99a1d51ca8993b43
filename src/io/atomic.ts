/**
 * Atomic file output: every writer in src/io writes to a temporary name in the target directory and
 * renames it into place only when the content is complete, so a crash or a rejected input never
 * leaves a half file under the final name (DESIGN.md §5, task rules).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** A hidden temporary sibling of `target` (same directory, so `rename` is atomic on one filesystem). */
export function tempSibling(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Move a finished temporary file onto its final name. */
export async function commitTemp(tmp: string, target: string): Promise<void> {
  await rename(tmp, target);
}

/** Remove a temporary file; a missing file is fine (nothing was written yet). */
export async function discardTemp(tmp: string): Promise<void> {
  await rm(tmp, { force: true });
}
