/**
 * Load → validate → expand → key, in one call shared by `run`, `status` and `dag`. Returns
 * diagnostics as values; the CLI renders them.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageKind } from '../contract/stage.ts';
import { createHasher, FileHashMemo } from '../cache/hash.ts';
import { ArtifactStore } from '../cache/store.ts';
import type { Result } from '../util/result.ts';
import { error, type Diagnostic } from './diagnostics.ts';
import { expandPipeline, type Plan, type StageId } from './expand.ts';
import type { KeyedStage } from '../cache/key-data.ts';
import { computeKeys } from './keys.ts';
import { loadPipeline } from './load.ts';

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The pipeline a command names, or the package's quickstart pipeline. */
export function pipelinePath(arg: string | undefined): Result<string, Diagnostic[]> {
  if (arg !== undefined) return { ok: true, value: resolve(arg) };
  const file = join(packageRoot, 'pipelines', 'quickstart.yaml');
  if (!existsSync(file)) {
    return { ok: false, error: [error(`no PIPELINE given and the default ${file} does not exist; name a pipeline file: nugan run path/to/pipeline.yaml`)] };
  }
  return { ok: true, value: file };
}

/** `--store`, else `artifacts/` in the repository holding the pipeline (nearest package.json or .git), else next to it. */
export function storeDirFor(pipelineFile: string, storeOption: string | undefined): string {
  if (storeOption) return resolve(storeOption);
  let dir = dirname(pipelineFile);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return join(dir, 'artifacts');
    const up = dirname(dir);
    if (up === dir) return join(dirname(pipelineFile), 'artifacts');
    dir = up;
  }
}

export interface Prepared {
  readonly plan: Plan;
  readonly keys: Map<StageId, KeyedStage>;
  readonly store: ArtifactStore;
  readonly memo: FileHashMemo;
}

/**
 * Load and expand in one pass of diagnostics: when some stages are malformed, the rest are still
 * expanded so their problems are reported too (except "names no stage" for the malformed ones).
 */
export function loadAndExpand(file: string, kinds: readonly StageKind[], opts: { sets?: readonly string[]; h32: (t: string) => number }): Result<Plan, Diagnostic[]> {
  const loaded = loadPipeline(file);
  if (loaded.ok) return expandPipeline(loaded.value, kinds, opts);
  if (!loaded.partial) return loaded;
  const rest = expandPipeline(loaded.partial.pipeline, kinds, opts);
  if (rest.ok) return { ok: false, error: loaded.error };
  const dropped = loaded.partial.dropped;
  const aboutDropped = (message: string) => {
    const m = /(?:needs|refers to) '([^'@]+)[^']*'|\$\{\{ stages\.([^.@]+)/.exec(message);
    const name = m?.[1] ?? m?.[2];
    return name !== undefined && dropped.has(name);
  };
  const more = rest.error.filter((d) => !aboutDropped(d.message));
  const all = [...loaded.error, ...more].sort((x, y) => (x.location?.range.start ?? -1) - (y.location?.range.start ?? -1));
  return { ok: false, error: all };
}

export async function preparePipeline(file: string, kinds: readonly StageKind[], opts: { sets?: readonly string[]; store?: string }): Promise<Result<Prepared, Diagnostic[]>> {
  const hasher = await createHasher();
  const expanded = loadAndExpand(file, kinds, { sets: opts.sets, h32: hasher.h32 });
  if (!expanded.ok) return expanded;
  const store = new ArtifactStore(storeDirFor(expanded.value.pipeline.file, opts.store));
  const memo = new FileHashMemo(store.memoFile);
  const keys = await computeKeys(expanded.value, kinds, hasher, memo);
  return { ok: true, value: { plan: expanded.value, keys, store, memo } };
}
