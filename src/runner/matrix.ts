/** Matrix expansion (house rule 9): a stage's matrix → its value combinations → readable instance ids. */
import { error, type Diagnostic } from './diagnostics.ts';
import { build, compileTemplate } from './interpolate.ts';
import type { RawStage, ValidPipeline } from './load.ts';

/** The expanded id of one instance: `base@value1-value2` (house rule 9), or the base id without a matrix. */
export function instanceId(baseId: string, combo: Record<string, unknown> | undefined): string {
  return combo ? `${baseId}@${Object.values(combo).map(idPart).join('-')}` : baseId;
}

function idPart(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The most instances one matrix may expand to. Planning keeps every instance in memory and keys each
 * one; a study of a million instances is already far beyond what any executor could run, and a typo
 * (a list pasted where one value was meant) should fail at once instead of exhausting memory.
 */
export const MAX_MATRIX_INSTANCES = 1_000_000;

/**
 * Instance ids join matrix values with `-`, so different combinations can give one id (`p: [x-y, x]`
 * with `q: [z, y-z]` both make `a@x-y-z`): one would silently never run. Reports each such pair,
 * naming both combinations, so the user can choose distinct values.
 */
export function reportIdCollisions(pipeline: ValidPipeline, baseId: string, combos: readonly (Record<string, unknown> | undefined)[], report: (d: Diagnostic) => void): void {
  const first = new Map<string, Record<string, unknown>>();
  for (const combo of combos) {
    if (!combo) continue;
    const id = instanceId(baseId, combo);
    const earlier = first.get(id);
    if (!earlier) {
      first.set(id, combo);
      continue;
    }
    report(error(`matrix instances ${JSON.stringify(earlier)} and ${JSON.stringify(combo)} of stage '${baseId}' both get the id '${id}' (values are joined with '-'); make the values distinct, e.g. without '-'`, pipeline.locate(['stages', baseId, 'matrix'], 'key')));
  }
}

/** The axes `${{ matrix.… }}` may name: the declared ones and the keys `include` entries add. */
export function matrixAxes(stage: RawStage): ReadonlySet<string> | undefined {
  if (!stage.matrix) return undefined;
  const declared = Object.keys(stage.matrix).filter((k) => k !== 'include' && k !== 'exclude');
  const included = ((stage.matrix.include ?? []) as Record<string, unknown>[]).flatMap((e) => Object.keys(e));
  return new Set([...declared, ...included]);
}

/**
 * The value combinations of a stage's matrix, in axis order, after `exclude` and `include` (as in
 * GitHub Actions: an include entry that agrees with existing combinations on every axis it names
 * extends them, otherwise it adds one); `[undefined]` for a stage without a matrix.
 */
export function expandMatrix(pipeline: ValidPipeline, baseId: string, stage: RawStage, params: Record<string, unknown>, report: (d: Diagnostic) => void): (Record<string, unknown> | undefined)[] {
  if (!stage.matrix) return [undefined];
  const axes: [string, unknown[]][] = [];
  let ok = true;
  for (const [axis, raw] of Object.entries(stage.matrix)) {
    if (axis === 'include' || axis === 'exclude') continue;
    // An axis may be given as one string, `${{ params.… }}`; it has no matrix of its own to refer to.
    const value = typeof raw === 'string'
      ? build(compileTemplate(raw, ['stages', baseId, 'matrix', axis], { pipeline, baseId, params, axes: undefined, report, stageRefs: [] }), undefined)
      : raw;
    if (!Array.isArray(value)) {
      report(error(`stages.${baseId}.matrix.${axis}: expected a list of values, got ${JSON.stringify(value)}`, pipeline.locate(['stages', baseId, 'matrix', axis])));
      ok = false;
      continue;
    }
    axes.push([axis, value]);
  }
  if (!ok) return [];
  // Cartesian product by index arithmetic: each combination object is built once, keys in axis order.
  let total = axes.length ? 1 : 0;
  for (const [, values] of axes) total *= values.length;
  if (total > MAX_MATRIX_INSTANCES) {
    const sizes = axes.map(([a, v]) => `${a}: ${v.length}`).join(' × ');
    report(error(`the matrix of stage '${baseId}' has ${total.toExponential(2)} combinations (${sizes}), more than the ${MAX_MATRIX_INSTANCES.toLocaleString('en')} instances a pipeline may plan; split the study or use fewer values`, pipeline.locate(['stages', baseId, 'matrix'], 'key')));
    return [];
  }
  let combos: Record<string, unknown>[] = new Array(total);
  for (let i = 0; i < total; i++) {
    const c: Record<string, unknown> = {};
    let div = total;
    for (const [axis, values] of axes) {
      div /= values.length;
      c[axis] = values[Math.floor(i / div) % values.length];
    }
    combos[i] = c;
  }
  const matches = (c: Record<string, unknown>, pattern: Record<string, unknown>) =>
    Object.entries(pattern).every(([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v));
  const exclude = (stage.matrix.exclude ?? []) as Record<string, unknown>[];
  if (exclude.length) combos = combos.filter((c) => !exclude.some((e) => matches(c, e)));
  for (const inc of (stage.matrix.include ?? []) as Record<string, unknown>[]) {
    // An include entry that agrees with existing combinations on every axis it names extends them; otherwise it adds one.
    const onAxes = Object.fromEntries(Object.entries(inc).filter(([k]) => axes.some(([a]) => a === k)));
    const hits = Object.keys(onAxes).length === axes.length || Object.keys(onAxes).length === 0 ? [] : combos.filter((c) => matches(c, onAxes));
    if (hits.length && Object.keys(inc).some((k) => !(k in onAxes))) for (const h of hits) Object.assign(h, inc);
    else if (!combos.some((c) => matches(c, inc) && Object.keys(c).length === Object.keys(inc).length)) combos.push({ ...inc });
  }
  if (combos.length === 0) {
    report(error(`the matrix of stage '${baseId}' expands to nothing (an axis is empty or every combination is excluded)`, pipeline.locate(['stages', baseId, 'matrix'], 'key')));
  }
  return combos;
}
