/**
 * Phase 2: `ValidPipeline` → `Plan` (house rule 2). Applies `--set` overrides, expands matrices,
 * interpolates `${{ params.x }}` / `${{ matrix.x }}` into `with` and `needs`, checks stage kinds,
 * parameters (each kind's schema, defaults applied), `needs` targets and `references`, orders the
 * instances topologically and derives each instance's seed. Pure: reads no files, runs nothing.
 */
import { parse as parseYamlValue } from 'yaml';
import type { StageKind } from '../contract/stage.ts';
import type { ValidateFunction } from 'ajv';
import type { Result } from '../util/result.ts';
import { didYouMean, error, type Diagnostic, type Location } from './diagnostics.ts';
import { ajvDiagnostics, createAjv, type AjvInstance, type RawStage, type ValidPipeline } from './load.ts';

/** Expanded, readable, deterministic stage id (`tune@nu-argon-10000`), house rule 9. */
export type StageId = string;

export interface PlanNode {
  readonly id: StageId;
  /** The id as written in the pipeline (without `@…`). */
  readonly baseId: string;
  readonly kind: string;
  /** `with:` after overrides, interpolation and schema defaults; `${{ stages.… }}` references stay verbatim until run time. */
  readonly params: Record<string, unknown>;
  /** Matrix values of this instance (absent for a plain stage). */
  readonly matrix?: Readonly<Record<string, unknown>>;
  /** Upstream instance ids, sorted. */
  readonly needs: readonly StageId[];
  readonly seed: number;
  readonly resources: { readonly cpus: number; readonly gpus: number };
  /** External files read by the instance, relative to the pipeline directory. */
  readonly externalInputs: readonly string[];
  readonly cacheable: boolean;
}

/** A fully checked, expanded pipeline: the only thing the scheduler and executors accept. */
export interface Plan {
  readonly state: 'plan';
  readonly pipeline: ValidPipeline;
  /** Instances in a topological order (dependencies first; declaration order among equals). */
  readonly nodes: readonly PlanNode[];
  readonly byId: ReadonlyMap<StageId, PlanNode>;
  /** Base id → its instance ids. */
  readonly groups: ReadonlyMap<string, readonly StageId[]>;
}

export interface ExpandOptions {
  /** `--set key=value` overrides, as typed on the command line. */
  readonly sets?: readonly string[];
  /** 32-bit hash used to derive per-instance seeds (xxh32 from src/cache/hash.ts). */
  readonly h32: (text: string) => number;
}

const EXPR = /\$\{\{\s*(.*?)\s*\}\}/g;
const STAGE_REF = /^stages\.([^.\s]+(?:@[^.\s]*)?)\.outputs\.([^\s}]+)$/;

/**
 * Two validators per kind: a fast one that stops at the first error (run on every instance — 100k for
 * a large matrix), and an all-errors one run only on failure, to report every problem at once.
 */
const validatorCache = new WeakMap<StageKind, { fast: ValidateFunction; full: () => ValidateFunction }>();
let fastAjv: AjvInstance | undefined;
let fullAjv: AjvInstance | undefined;
function kindValidator(kind: StageKind): { fast: ValidateFunction; full: () => ValidateFunction } {
  let v = validatorCache.get(kind);
  if (!v) {
    fastAjv ??= createAjv({ allErrors: false });
    let full: ValidateFunction | undefined;
    v = {
      fast: fastAjv.compile(kind.schema),
      full: () => (full ??= (fullAjv ??= createAjv()).compile(kind.schema)),
    };
    validatorCache.set(kind, v);
  }
  return v;
}

interface Instance {
  id: StageId;
  baseId: string;
  kind: StageKind;
  params: Record<string, unknown>;
  matrix?: Record<string, unknown>;
  seedOverride?: number;
  /** needs entries after interpolation, with the index of the `needs` item that produced each. */
  needs: { name: string; index: number }[];
  stageRefs: { stage: string; output: string; path: (string | number)[] }[];
}

export function expandPipeline(pipeline: ValidPipeline, kinds: readonly StageKind[], opts: ExpandOptions): Result<Plan, Diagnostic[]> {
  const diags: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (d: Diagnostic) => {
    const sig = `${d.message}@${d.location?.range.start ?? -1}`;
    if (!seen.has(sig)) {
      seen.add(sig);
      diags.push(d);
    }
  };
  const kindByName = new Map(kinds.map((k) => [k.kind, k]));
  const { params, stages } = applySets(pipeline, opts.sets ?? [], report);
  const baseSeed = typeof params.seed === 'number' ? params.seed : 0;

  const instances: Instance[] = [];
  const groups = new Map<string, StageId[]>();
  for (const [baseId, stage] of Object.entries(stages)) {
    const kind = kindByName.get(stage.uses);
    if (!kind) {
      report(error(`unknown stage kind '${stage.uses}' in stage '${baseId}'${didYouMean(stage.uses, kindByName.keys())}; known kinds: ${[...kindByName.keys()].join(', ')}`, pipeline.locate(['stages', baseId, 'uses'])));
      groups.set(baseId, []);
      continue;
    }
    const combos = expandMatrix(pipeline, baseId, stage, params, report);
    // Compile `with` and `needs` once per stage: params and errors resolve here, only matrix values vary per instance.
    const stageRefs: Instance['stageRefs'] = [];
    const declared = stage.matrix ? Object.keys(stage.matrix).filter((k) => k !== 'include' && k !== 'exclude') : [];
    const included = ((stage.matrix?.include ?? []) as Record<string, unknown>[]).flatMap((e) => Object.keys(e));
    const axes = new Set([...declared, ...included]);
    const ctx: CompileCtx = { pipeline, baseId, params, axes: stage.matrix ? axes : undefined, report, stageRefs };
    const withTmpl = compileTemplate(stage.with ?? {}, ['stages', baseId, 'with'], ctx);
    const needsRaw = stage.needs === undefined ? [] : Array.isArray(stage.needs) ? stage.needs : [stage.needs];
    const needsTmpl = needsRaw.map((n, index) => ({ t: compileTemplate(n, ['stages', baseId, 'needs', ...(Array.isArray(stage.needs) ? [index] : [])], { ...ctx, stageRefs: [] }), index }));
    const ids: StageId[] = [];
    for (const combo of combos) {
      const id = combo ? `${baseId}@${Object.values(combo).map(idPart).join('-')}` : baseId;
      // A fresh top-level object per instance (seed is taken out, defaults go in); nested static parts are shared.
      const interpolated = (withTmpl.dynamic ? withTmpl.build(combo) : { ...(withTmpl.value as Record<string, unknown>) }) as Record<string, unknown>;
      let seedOverride: number | undefined;
      if ('seed' in interpolated) {
        const s = interpolated.seed;
        if (typeof s === 'number' && Number.isInteger(s) && s >= 0) seedOverride = s;
        else report(error(`stages.${baseId}.with.seed: expected a non-negative integer, got ${JSON.stringify(s)}`, pipeline.locate(['stages', baseId, 'with', 'seed'])));
        delete interpolated.seed;
      }
      const needs = needsTmpl.map(({ t, index }) => ({ name: String(build(t, combo)), index }));
      ids.push(id);
      instances.push({ id, baseId, kind, params: interpolated, matrix: combo, seedOverride, needs, stageRefs });
    }
    groups.set(baseId, ids);
  }

  const ids = new Set(instances.map((i) => i.id));
  const resolveTarget = (name: string): StageId[] | undefined => (ids.has(name) ? [name] : groups.has(name) ? groups.get(name)! : undefined);
  const deps = new Map<StageId, Map<StageId, { index: number } | null>>();
  const nodes = new Map<StageId, PlanNode>();
  const suggestions = () => [...groups.keys(), ...(ids.size < 2000 ? ids : [])];

  for (const inst of instances) {
    const d = new Map<StageId, { index: number } | null>();
    const needsPath = (index: number) => ['stages', inst.baseId, 'needs', ...(Array.isArray(stages[inst.baseId]!.needs) ? [index] : [])]; // only called on errors
    for (const n of inst.needs) {
      const targets = resolveTarget(n.name);
      if (!targets) {
        report(error(`stage '${inst.id}' needs '${n.name}', which is not a stage of this pipeline${didYouMean(n.name, suggestions())}`, pipeline.locate(needsPath(n.index))));
        continue;
      }
      for (const t of targets) d.set(t, { index: n.index });
    }
    for (const ref of inst.stageRefs) {
      const targets = resolveTarget(ref.stage);
      if (!targets) {
        report(error(`\${{ stages.${ref.stage}.outputs.${ref.output} }} names no stage of this pipeline${didYouMean(ref.stage, suggestions())}`, pipeline.locate(ref.path)));
      } else if (targets.length !== 1) {
        report(error(`\${{ stages.${ref.stage}.outputs.${ref.output} }} is ambiguous: '${ref.stage}' has ${targets.length} matrix instances; name one (e.g. '${targets[0]}')`, pipeline.locate(ref.path)));
      } else if (!d.has(targets[0]!)) d.set(targets[0]!, null);
    }
    // Parameters: the kind's schema, defaults applied (they enter the key), then the kind's own references.
    const validate = kindValidator(inst.kind);
    if (!validate.fast(inst.params)) {
      const full = validate.full();
      full(inst.params);
      for (const diag of ajvDiagnostics(full.errors ?? [], ['stages', inst.baseId, 'with'], pipeline.locate, `stages.${inst.baseId}.with`)) report(diag);
      deps.set(inst.id, d); // still part of the graph, so cycles through it are found too
      continue;
    }
    if (inst.kind.references) {
      for (const r of inst.kind.references(inst.params)) {
        const targets = resolveTarget(r);
        if (!targets) {
          report(error(`stage '${inst.id}' refers to '${r}' in its parameters, which is not a stage of this pipeline${didYouMean(r, suggestions())}`, pipeline.locate(['stages', inst.baseId, 'with'], 'key')));
        } else for (const t of targets) if (!d.has(t)) d.set(t, null);
      }
    }
    if (d.has(inst.id)) {
      report(error(`stage '${inst.id}' needs itself`, pipeline.locate(['stages', inst.baseId, 'needs'])));
      d.delete(inst.id);
    }
    deps.set(inst.id, d);
    const res = inst.kind.resources?.(inst.params) ?? {};
    nodes.set(inst.id, {
      id: inst.id,
      baseId: inst.baseId,
      kind: inst.kind.kind,
      params: inst.params,
      matrix: inst.matrix,
      needs: [...d.keys()].sort(),
      seed: inst.seedOverride ?? opts.h32(`${baseSeed}:${inst.id}`),
      resources: { cpus: Math.max(1, res.cpus ?? 1), gpus: Math.max(0, res.gpus ?? 0) },
      externalInputs: inst.kind.externalInputs?.(inst.params) ?? [],
      cacheable: inst.kind.cacheable?.(inst.params) ?? true,
    });
  }

  // Cycles are looked for even when other problems were found (all problems in one pass).
  {
    const order = topoOrder(instances.map((i) => i.id), deps);
    if (order.ok && diags.length === 0) {
      const ordered = order.value.map((id) => nodes.get(id)!);
      return { ok: true, value: { state: 'plan', pipeline, nodes: ordered, byId: new Map(ordered.map((n) => [n.id, n])), groups } };
    }
    if (!order.ok) reportCycle(order.error);
  }
  // In file order, as a reader goes through the pipeline.
  diags.sort((x, y) => (x.location?.range.start ?? -1) - (y.location?.range.start ?? -1));
  return { ok: false, error: diags };

  function reportCycle(cycle: StageId[]): void {
    const byId = new Map(instances.map((i) => [i.id, i]));
    const related = cycle.map((from, i) => {
      const to = cycle[(i + 1) % cycle.length]!;
      const inst = byId.get(from)!;
      const edge = deps.get(from)!.get(to);
      const loc = edge ? pipeline.locate(['stages', inst.baseId, 'needs', ...(Array.isArray(stages[inst.baseId]!.needs) ? [edge.index] : [])]) : pipeline.locate(['stages', inst.baseId, 'with'], 'key');
      return { message: i === cycle.length - 1 ? `'${from}' needs '${to}', closing the cycle` : `'${from}' needs '${to}'`, location: loc };
    });
    report(error(`dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`, related[0]!.location, related));
  }
}

/** Kahn's algorithm; on failure returns one cycle (ids in order). */
function topoOrder(ids: readonly StageId[], deps: ReadonlyMap<StageId, ReadonlyMap<StageId, unknown>>): Result<StageId[], StageId[]> {
  const indeg = new Map<StageId, number>();
  const users = new Map<StageId, StageId[]>();
  for (const id of ids) {
    const d = deps.get(id);
    indeg.set(id, d ? d.size : 0);
    for (const t of d?.keys() ?? []) {
      let u = users.get(t);
      if (!u) users.set(t, (u = []));
      u.push(id);
    }
  }
  const order: StageId[] = [];
  const queue = ids.filter((id) => indeg.get(id) === 0);
  for (let qi = 0; qi < queue.length; qi++) {
    const id = queue[qi]!;
    order.push(id);
    for (const u of users.get(id) ?? []) {
      const left = indeg.get(u)! - 1;
      indeg.set(u, left);
      if (left === 0) queue.push(u);
    }
  }
  if (order.length === ids.length) return { ok: true, value: order };
  // Walk dependencies from a stuck node until one repeats: that loop is a cycle.
  let cur = ids.find((id) => indeg.get(id)! > 0)!;
  const pos = new Map<StageId, number>();
  const path: StageId[] = [];
  while (!pos.has(cur)) {
    pos.set(cur, path.length);
    path.push(cur);
    cur = [...deps.get(cur)!.keys()].find((t) => indeg.get(t)! > 0)!;
  }
  return { ok: false, error: path.slice(pos.get(cur)) };
}

function idPart(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function expandMatrix(pipeline: ValidPipeline, baseId: string, stage: RawStage, params: Record<string, unknown>, report: (d: Diagnostic) => void): (Record<string, unknown> | undefined)[] {
  if (!stage.matrix) return [undefined];
  const axes: [string, unknown[]][] = [];
  let ok = true;
  for (const [axis, raw] of Object.entries(stage.matrix)) {
    if (axis === 'include' || axis === 'exclude') continue;
    const value = typeof raw === 'string'
      ? interpolate(raw, ['stages', baseId, 'matrix', axis], { pipeline, baseId, params, matrix: undefined, report, stageRefs: [] })
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

interface InterpCtx {
  pipeline: ValidPipeline;
  baseId: string;
  params: Record<string, unknown>;
  matrix: Record<string, unknown> | undefined;
  report: (d: Diagnostic) => void;
  stageRefs: Instance['stageRefs'];
}

/** Replaces `${{ … }}` in every string of `value`; a string that is one expression takes the value's own type. */
function interpolate(value: unknown, path: (string | number)[], ctx: InterpCtx): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return value;
    const whole = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(value);
    if (whole && !whole[1]!.includes('}}')) {
      const r = evalExpr(whole[1]!, path, ctx);
      return r.found ? r.value : value;
    }
    return value.replace(EXPR, (m, expr: string) => {
      const r = evalExpr(expr, path, ctx);
      if (!r.found) return m;
      return typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], ctx));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, [...path, k], ctx);
    return out;
  }
  return value;
}

function evalExpr(expr: string, path: (string | number)[], ctx: InterpCtx): { found: boolean; value?: unknown } {
  const where = (): Location => ctx.pipeline.locate(path);
  const ref = STAGE_REF.exec(expr);
  if (ref) {
    ctx.stageRefs.push({ stage: ref[1]!, output: ref[2]!, path });
    return { found: false }; // kept verbatim; resolved to an absolute path when the upstream artifact exists
  }
  const [scope, ...rest] = expr.split('.');
  if (scope === 'params' || scope === 'matrix') {
    const root = scope === 'params' ? ctx.params : ctx.matrix;
    if (!root) {
      ctx.report(error(`\${{ ${expr} }} names nothing: stage '${ctx.baseId}' has no matrix`, where()));
      return { found: false };
    }
    let cur: unknown = root;
    for (let i = 0; i < rest.length; i++) {
      const seg = rest[i]!;
      if (cur && typeof cur === 'object' && seg in (cur as object)) cur = (cur as Record<string, unknown>)[seg];
      else {
        const known = cur && typeof cur === 'object' ? Object.keys(cur) : [];
        ctx.report(error(`\${{ ${expr} }} names nothing: ${[scope, ...rest.slice(0, i)].join('.')} has no '${seg}'${didYouMean(seg, known)}${known.length ? `; it has: ${known.join(', ')}` : ''}`, where()));
        return { found: false };
      }
    }
    if (rest.length === 0) {
      ctx.report(error(`\${{ ${expr} }} names nothing: write ${scope}.<name>`, where()));
      return { found: false };
    }
    return { found: true, value: cur };
  }
  ctx.report(error(`\${{ ${expr} }} names nothing: expected params.<name>, matrix.<name> or stages.<id>.outputs.<name>${didYouMean(scope ?? '', ['params', 'matrix', 'stages'])}`, where()));
  return { found: false };
}

interface CompileCtx {
  pipeline: ValidPipeline;
  baseId: string;
  params: Record<string, unknown>;
  /** Matrix axes of the stage, undefined when it has no matrix. */
  axes: ReadonlySet<string> | undefined;
  report: (d: Diagnostic) => void;
  stageRefs: Instance['stageRefs'];
}

/** A `with` / `needs` value compiled once per stage: static, or built from an instance's matrix values. */
type Template = { readonly dynamic: false; readonly value: unknown } | { readonly dynamic: true; readonly build: (matrix: Record<string, unknown> | undefined) => unknown };

function build(t: Template, matrix: Record<string, unknown> | undefined): unknown {
  return t.dynamic ? t.build(matrix) : t.value;
}

function lookup(root: unknown, segs: readonly string[]): unknown {
  let cur = root;
  for (const seg of segs) cur = (cur as Record<string, unknown>)[seg];
  return cur;
}

function compileTemplate(value: unknown, path: (string | number)[], ctx: CompileCtx): Template {
  if (typeof value === 'string') return compileString(value, path, ctx);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileTemplate(v, [...path, i], ctx));
    if (!items.some((t) => t.dynamic)) return { dynamic: false, value: items.map((t) => build(t, undefined)) };
    return { dynamic: true, build: (m) => items.map((t) => build(t, m)) };
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileTemplate(v, [...path, k], ctx)] as const);
    if (!entries.some(([, t]) => t.dynamic)) return { dynamic: false, value: Object.fromEntries(entries.map(([k, t]) => [k, build(t, undefined)])) };
    return {
      dynamic: true,
      build: (m) => {
        const out: Record<string, unknown> = {};
        for (const [k, t] of entries) out[k] = t.dynamic ? t.build(m) : t.value;
        return out;
      },
    };
  }
  return { dynamic: false, value };
}

type Part = string | { readonly axis: string; readonly rest: readonly string[] } | { readonly constant: unknown };

function compileString(value: string, path: (string | number)[], ctx: CompileCtx): Template {
  if (!value.includes('${{')) return { dynamic: false, value };
  const parts: Part[] = [];
  let last = 0;
  for (const m of value.matchAll(EXPR)) {
    if (m.index! > last) parts.push(value.slice(last, m.index));
    last = m.index! + m[0].length;
    const expr = m[1]!;
    const ref = STAGE_REF.exec(expr);
    if (ref) {
      ctx.stageRefs.push({ stage: ref[1]!, output: ref[2]!, path });
      parts.push(m[0]); // kept verbatim; resolved to an absolute path when the upstream artifact exists
      continue;
    }
    const [scope, ...rest] = expr.split('.');
    if (scope === 'matrix' && ctx.axes && rest.length > 0 && ctx.axes.has(rest[0]!)) {
      parts.push({ axis: rest[0]!, rest: rest.slice(1) });
      continue;
    }
    const r = evalExpr(expr, path, { pipeline: ctx.pipeline, baseId: ctx.baseId, params: ctx.params, matrix: ctx.axes ? Object.fromEntries([...ctx.axes].map((a) => [a, null])) : undefined, report: ctx.report, stageRefs: [] });
    parts.push(r.found ? { constant: r.value } : m[0]);
  }
  if (last < value.length) parts.push(value.slice(last));
  const piece = (p: Part, m: Record<string, unknown> | undefined): unknown =>
    typeof p === 'string' ? p : 'constant' in p ? p.constant : lookup(m?.[p.axis], p.rest);
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const dynamic = parts.some((p) => typeof p === 'object' && 'axis' in p);
  const make = (m: Record<string, unknown> | undefined): unknown => {
    if (parts.length === 1) return piece(parts[0]!, m); // one expression: keep the value's own type
    let out = '';
    for (const p of parts) out += text(piece(p, m));
    return out;
  };
  return dynamic ? { dynamic: true, build: make } : { dynamic: false, value: make(undefined) };
}

/** `--set a.b=v` (pipeline params) or `--set <stage>.<key>=v` (a stage's `with`); values parse as YAML scalars. */
function applySets(pipeline: ValidPipeline, sets: readonly string[], report: (d: Diagnostic) => void): { params: Record<string, unknown>; stages: Record<string, RawStage> } {
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
    let segs = key.split('.');
    let target: Record<string, unknown>;
    if (segs[0] === 'params') {
      segs = segs.slice(1);
      target = params;
    } else if (segs[0] === 'stages' && segs.length >= 4 && segs[2] === 'with' && stages[segs[1]!]) {
      const st = stages[segs[1]!]!;
      target = (st.with ??= {});
      segs = segs.slice(3);
    } else if (segs.length >= 2 && stages[segs[0]!]) {
      const st = stages[segs[0]!]!;
      target = (st.with ??= {});
      segs = segs.slice(1);
    } else if (segs[0]! in params) {
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
      if (!cur[seg] || typeof cur[seg] !== 'object') cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    cur[segs.at(-1)!] = value;
  }
  return { params, stages };
}
