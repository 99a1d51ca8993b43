/**
 * The manifest of an artifact: the record of how it was made (house rules 5 and 7). It is both the
 * "lock entry" and the run-cache value; `validateManifest` guards every read.
 */
import { isAbsolute } from 'node:path';
export const MANIFEST_SCHEMA = 1;

export interface OutputRecord {
  /** Path relative to the artifact directory. */
  readonly path: string;
  /** Content hash (`xxh64:…`); for a directory, the hash of its sorted listing of file hashes. */
  readonly hash: string;
  readonly bytes: number;
}

/** One file of an artifact, as it was when the artifact was made (docs/cache.md §7). */
export interface FileRecord {
  /** Path relative to the artifact directory, '/'-separated. */
  readonly path: string;
  readonly bytes: number;
  /** Modification time (ms since the epoch): unchanged time and size spare the quick check a re-hash. */
  readonly mtimeMs: number;
  /** Content hash (`xxh64:…`). */
  readonly hash: string;
}

export interface Manifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly id: string;
  readonly kind: string;
  readonly key: string;
  /** Everything that went into the key, verbatim. */
  readonly keyData: unknown;
  readonly params: Record<string, unknown>;
  readonly seed: number;
  /** Upstream stage id → artifact key. */
  readonly inputs: Record<string, string>;
  readonly outputs: Record<string, OutputRecord>;
  /**
   * Every file of the artifact except manifest.json (outputs, the stage's log, whatever a command left),
   * what verification checks. Absent in manifests written before nugan recorded it.
   */
  readonly files?: readonly FileRecord[];
  readonly summary: Record<string, unknown>;
  readonly timings: { readonly started: string; readonly finished: string; readonly seconds: number };
  readonly versions: { readonly nugan: string; readonly node: string; readonly platform: string };
  readonly executor: Record<string, unknown>;
  readonly pipeline: string;
}

/**
 * Whether a path a manifest records stays inside its artifact: relative, no `..` step. Dependents
 * receive `<artifact>/<path>`; a manifest written by hand or damaged must not point them at files
 * elsewhere (`../../other-key/…`, `/etc/…`).
 */
function insideArtifact(p: string): boolean {
  return !isAbsolute(p) && !p.split(/[\\/]/).includes('..');
}

/** Returns a description of the first problem, or undefined when `m` is a valid manifest. */
export function validateManifest(m: unknown): string | undefined {
  if (!m || typeof m !== 'object') return 'manifest is not an object';
  const r = m as Record<string, unknown>;
  if (r.schema !== MANIFEST_SCHEMA) return `manifest schema ${JSON.stringify(r.schema)}, expected ${MANIFEST_SCHEMA}`;
  for (const k of ['id', 'kind', 'key', 'pipeline'] as const) if (typeof r[k] !== 'string') return `manifest field '${k}' must be a string`;
  if (typeof r.seed !== 'number') return "manifest field 'seed' must be a number";
  for (const k of ['params', 'inputs', 'outputs', 'summary', 'timings', 'versions', 'executor'] as const) {
    if (!r[k] || typeof r[k] !== 'object') return `manifest field '${k}' must be an object`;
  }
  for (const [name, o] of Object.entries(r.outputs as Record<string, unknown>)) {
    const out = o as Partial<OutputRecord> | null;
    if (!out || typeof out.path !== 'string' || typeof out.hash !== 'string') return `manifest output '${name}' needs path and hash`;
    if (!insideArtifact(out.path)) return `manifest output '${name}' has the path ${JSON.stringify(out.path)}, which leads out of the artifact`;
  }
  if (r.files !== undefined) {
    if (!Array.isArray(r.files)) return "manifest field 'files' must be a list";
    for (const f of r.files as Partial<FileRecord>[]) {
      if (!f || typeof f.path !== 'string' || typeof f.hash !== 'string' || typeof f.bytes !== 'number' || typeof f.mtimeMs !== 'number') return "manifest field 'files' needs path, bytes, mtimeMs and hash for each file";
      if (!insideArtifact(f.path)) return `manifest file ${JSON.stringify(f.path)} leads out of the artifact`;
    }
  }
  return undefined;
}
