/**
 * The content-addressed artifact store (docs/cache.md, house rule 7).
 *
 *     <store>/artifacts/<key>/          one finished stage instance: its files + manifest.json
 *     <store>/tmp/<key>.<pid>.<n>/      where a stage runs; renamed to artifacts/<key> when complete
 *     <store>/scratch/<key>/            work a stage keeps across interruptions (checkpoints); removed
 *                                       when artifacts/<key> is published
 *     <store>/locks/<key>.lock          held while an instance executes (pid, host, command)
 *     <store>/last/<pipeline>/<id>.json the last KeyData seen for a stage id (what `status` diffs against)
 *     <store>/runs/<time>-<pid>.json    one record per pipeline run (what `gc` keeps alive)
 *     <store>/logs/<key>.log            the log of a failed attempt
 *     <store>/quarantine/<key>.<time>/  a corrupt artifact, moved aside (kept for inspection until `gc`)
 *     <store>/hashes.json               file-hash memo (dev/inode/size/mtime → content hash)
 */
import { accessSync, constants as fsConstants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic.ts';
import { join, resolve } from 'node:path';
import type { CacheKey } from './hash.ts';
import { validateManifest, type Manifest } from './manifest.ts';

export class ArtifactStore {
  readonly dir: string;
  private counter = 0;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /**
   * Why nothing can be written to the store — a read-only filesystem (EROFS) or a directory this user
   * may not write (EACCES, EPERM) — or undefined when it is writable. Creates the store directory when
   * it can. Lets a run that only reads (everything cached) go on, and one that would write fail with
   * one clear message instead of an EROFS stack trace midway.
   */
  readOnlyReason(): string | undefined {
    try {
      mkdirSync(this.dir, { recursive: true });
      accessSync(this.dir, fsConstants.W_OK);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return 'read-only file system';
      if (code === 'EACCES' || code === 'EPERM') return 'no permission to write';
      throw err;
    }
  }

  artifactDir(key: string): string {
    return join(this.dir, 'artifacts', key);
  }

  get memoFile(): string {
    return join(this.dir, 'hashes.json');
  }

  /** The scratch directory of a key (StageContext.scratchDir): not created here; the stage makes what it needs. */
  scratchDir(key: string): string {
    return join(this.dir, 'scratch', key);
  }

  /** Scratch directories present, by key. */
  listScratch(): string[] {
    const d = join(this.dir, 'scratch');
    return existsSync(d) ? readdirSync(d) : [];
  }

  /** A fresh, empty directory inside the store (same filesystem, so the final rename is atomic). */
  makeTempDir(key: string): string {
    const dir = join(this.dir, 'tmp', `${key}.${process.pid}.${Date.now().toString(36)}${(this.counter++).toString(36)}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * The manifest of a finished artifact: `undefined` when absent, an Error when present but unreadable
   * or invalid (the caller reports it and treats it as a miss).
   */
  readManifest(key: string): Manifest | undefined | Error {
    const file = join(this.artifactDir(key), 'manifest.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const m = JSON.parse(text) as unknown;
      const problem = validateManifest(m);
      if (problem) return new Error(`${file}: ${problem}`);
      if ((m as Manifest).key !== key) return new Error(`${file}: manifest key ${(m as Manifest).key} does not match its directory`);
      return m as Manifest;
    } catch (err) {
      return new Error(`${file}: not valid JSON (${(err as Error).message})`);
    }
  }

  /**
   * Moves a corrupt artifact out of the way, so it is rebuilt and never used, and keeps it under
   * `quarantine/` for inspection (`gc` removes it). Returns where it went, or undefined when another
   * process moved it first.
   */
  quarantine(key: string): string | undefined {
    const to = join(this.quarantineDir, `${key}.${new Date().toISOString().replace(/[:.]/g, '-')}.${process.pid}`);
    mkdirSync(this.quarantineDir, { recursive: true });
    try {
      renameSync(this.artifactDir(key), to);
      return to;
    } catch {
      return undefined;
    }
  }

  get quarantineDir(): string {
    return join(this.dir, 'quarantine');
  }

  /**
   * Publishes `tempDir` as `artifacts/<key>` with one rename. Returns false when the key already exists
   * (another run finished it first; its artifact is equivalent) — the temp dir is then removed.
   */
  commit(tempDir: string, key: CacheKey | string): boolean {
    mkdirSync(join(this.dir, 'artifacts'), { recursive: true });
    try {
      renameSync(tempDir, this.artifactDir(key));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        rmSync(tempDir, { recursive: true, force: true });
        return false;
      }
      throw err;
    }
  }

  /** Replaces an existing artifact (`--force`): the old one is moved aside first, then the new one renamed in. */
  replace(tempDir: string, key: string): void {
    const target = this.artifactDir(key);
    if (existsSync(target)) {
      const aside = join(this.dir, 'tmp', `old-${key}.${process.pid}.${Date.now()}`);
      renameSync(target, aside);
      rmSync(aside, { recursive: true, force: true });
    }
    this.commit(tempDir, key);
  }

  private lastFile(pipelineTag: string, id: string): string {
    return join(this.dir, 'last', pipelineTag, `${encodeURIComponent(id)}.json`);
  }

  writeLast(pipelineTag: string, id: string, record: LastRecord): void {
    writeJsonAtomic(this.lastFile(pipelineTag, id), record);
  }

  readLast(pipelineTag: string, id: string): LastRecord | undefined {
    try {
      const r = JSON.parse(readFileSync(this.lastFile(pipelineTag, id), 'utf8')) as LastRecord;
      return r && typeof r.key === 'string' ? r : undefined;
    } catch {
      return undefined;
    }
  }

  writeRunRecord(record: RunRecord): string {
    const file = join(this.dir, 'runs', `${record.started.replace(/[:.]/g, '-')}-${process.pid}.json`);
    writeJsonAtomic(file, record);
    return file;
  }

  readRunRecords(): { file: string; record: RunRecord | undefined }[] {
    const dir = join(this.dir, 'runs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        try {
          return { file: join(dir, f), record: JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord };
        } catch {
          return { file: join(dir, f), record: undefined };
        }
      });
  }

  listArtifacts(): string[] {
    const dir = join(this.dir, 'artifacts');
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  saveFailedLog(key: string, text: string): string {
    const file = join(this.dir, 'logs', `${key}.log`);
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    writeFileSync(file, text);
    return file;
  }
}

/** What `status` compares against: the key and KeyData last planned for a stage id, and whether it completed. */
export interface LastRecord {
  readonly key: string;
  readonly keyData: unknown;
  readonly at: string;
}

export interface RunRecord {
  readonly schema: 1;
  readonly pipeline: string;
  readonly started: string;
  readonly finished: string;
  readonly ok: boolean;
  /** Stage id → artifact key for every stage of the plan that has an artifact after the run. */
  readonly artifacts: Record<string, string>;
}

/** Writes a record as JSON, atomically, creating its directory. */
function writeJsonAtomic(file: string, data: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileAtomicSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
