/**
 * Atomic file output: write to a temporary sibling, then rename it onto the final name, so a crash, an
 * abort or a rejected input never leaves a half file under that name (docs/cache.md). The sibling is in
 * the same directory, so the rename stays on one filesystem and is atomic. Callers create the directory.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A hidden temporary sibling of `target`, unique to this process and call. */
export function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `file` atomically; on failure no temporary file is left behind. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempSibling(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** `writeFileAtomic` for synchronous callers (the store, the SLURM executor's job files). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = tempSibling(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Moves a finished temporary file (from a streaming writer) onto its final name. */
export async function commitTemp(tmp: string, target: string): Promise<void> {
  await rename(tmp, target);
}

/** Removes a temporary file; a missing file is fine (nothing was written yet). */
export async function discardTemp(tmp: string): Promise<void> {
  await rm(tmp, { force: true });
}

/** A file written piece by piece that appears under its name only when committed. */
export interface AtomicWriteStream {
  /** Resolves when the stream can take more (back-pressure); rejects once the stream failed. */
  write(chunk: string): Promise<void>;
  /** Ends the stream and renames the temporary sibling onto the file. */
  commit(): Promise<void>;
  /** Drops everything written; no file remains. */
  discard(): Promise<void>;
}

/** Opens `file` for streaming output through a temporary sibling (text tables of any size). */
export function createAtomicWriteStream(file: string): AtomicWriteStream {
  const tmp = tempSibling(file);
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (out.write(chunk)) resolve();
        else {
          out.once('drain', resolve);
          failed.catch(reject);
        }
      }),
    async commit() {
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      await commitTemp(tmp, file);
    },
    async discard() {
      out.destroy();
      await discardTemp(tmp);
    },
  };
}
