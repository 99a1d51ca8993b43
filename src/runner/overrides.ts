/**
 * `--set key=value` (README.md, "Pipelines"): overrides of pipeline params or of a stage's `with`, applied to
 * copies before expansion, so the plan — and every key — sees the overridden values.
 */
import { parse as parseYamlValue } from 'yaml';
import { didYouMean, error, type Diagnostic } from './diagnostics.ts';
import type { RawStage, ValidPipeline } from './load.ts';

/**
 * Names that would reach Object.prototype instead of a parameter (`--set params.__proto__.x=1` would
 * give every object in the process an `x`): refused as keys.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** `--set a.b=v` (pipeline params) or `--set <stage>.<key>=v` (a stage's `with`); values parse as YAML scalars. */
export function applySets(pipeline: ValidPipeline, sets: readonly string[], report: (d: Diagnostic) => void): { params: Record<string, unknown>; stages: Record<string, RawStage> } {
  if (sets.length === 0) return { params: pipeline.params, stages: pipeline.stages };
  const params = structuredClone(pipeline.params);
  const stages = structuredClone(pipeline.stages) as Record<string, RawStage & { with?: Record<string, unknown> }>;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      report(error(`--set ${s}: expected key=value`));
      continue;
    }
    const key = s.slice(0, eq);
    const raw = s.slice(eq + 1);
    let value: unknown;
    try {
      value = parseYamlValue(raw);
    } catch {
      value = raw;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      report(error(`--set ${s}: ${raw} is not a finite number`));
      continue;
    }
    let segs = key.split('.');
    const forbidden = segs.find((seg) => FORBIDDEN_KEYS.has(seg));
    if (forbidden !== undefined) {
      report(error(`--set ${key}: '${forbidden}' cannot be a parameter name`));
      continue;
    }
    let target: Record<string, unknown>;
    if (segs[0] === 'params') {
      segs = segs.slice(1);
      target = params;
    } else if (segs[0] === 'stages' && segs.length >= 4 && segs[2] === 'with' && Object.hasOwn(stages, segs[1]!)) {
      const st = stages[segs[1]!]!;
      target = (st.with ??= {});
      segs = segs.slice(3);
    } else if (segs.length >= 2 && Object.hasOwn(stages, segs[0]!)) {
      const st = stages[segs[0]!]!;
      target = (st.with ??= {});
      segs = segs.slice(1);
    } else if (Object.hasOwn(params, segs[0]!)) {
      target = params;
    } else {
      report(error(`--set ${key}: no pipeline parameter or stage named '${segs[0]}'${didYouMean(segs[0]!, [...Object.keys(params), ...Object.keys(stages)])}; write params.<name>=v or <stage>.<key>=v`));
      continue;
    }
    if (segs.length === 0) {
      report(error(`--set ${key}: name a parameter`));
      continue;
    }
    let cur = target;
    for (const seg of segs.slice(0, -1)) {
      if (!Object.hasOwn(cur, seg) || !cur[seg] || typeof cur[seg] !== 'object') cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    cur[segs.at(-1)!] = value;
  }
  return { params, stages };
}
