/**
 * Phase 2: `ValidPipeline` → `Plan` (house rule 2). Applies `--set` overrides, expands matrices,
 * interpolates `${{ params.x }}` / `${{ matrix.x }}` into `with` and `needs`, checks stage kinds,
 * parameters (each kind's schema, defaults applied), `needs` targets and `references`, orders the
 * instances topologically and derives each instance's seed. Pure: reads no files, runs nothing.
 */
import type { ValidateFunction } from 'ajv';
import type { StageKind } from '../contract/stage.ts';
import type { Result } from '../util/result.ts';
import { didYouMean, error, type Diagnostic, type Location } from './diagnostics.ts';
import { build, compileTemplate, type CompileCtx, type StageRef } from './interpolate.ts';
import { ajvDiagnostics, createAjv, type AjvInstance, type RawStage, type ValidPipeline } from './load.ts';
import { expandMatrix, instanceId, matrixAxes, reportIdCollisions } from './matrix.ts';
import { applySets } from './overrides.ts';

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
  /** Tokens: CPUs, GPUs required, whether a GPU is wanted if there is one, CPUs held beside a granted GPU (StageKind.resources). */
  readonly resources: { readonly cpus: number; readonly gpus: number; readonly wantsGpu: boolean; readonly cpusWithGpu: number };
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

/** One stage instance between expansion and planning. */
interface Instance {
  id: StageId;
  baseId: string;
  kind: StageKind;
  params: Record<string, unknown>;
  matrix?: Record<string, unknown>;
  seedOverride?: number;
  /** needs entries after interpolation, with the index of the `needs` item that produced each. */
  needs: { name: string; index: number }[];
  stageRefs: readonly StageRef[];
}

/** An edge of the dependency graph: from a `needs` item (its index, for locations) or implied (null). */
type Edge = { readonly index: number } | null;

/** Stage names as written in `needs`, references and `${{ stages.… }}`: an instance id or a base id (all its instances). */
interface Targets {
  resolve(name: string): StageId[] | undefined;
  /** Names for "did you mean" (instance ids only while there are few). */
  suggestions(): string[];
}

/**
 * Expansion in four steps, every problem of each collected in one pass (house rule 3): `--set`
 * overrides → instances (matrices expanded, templates filled) → dependencies and parameters checked →
 * topological order (or the cycle that prevents one).
 */
export function expandPipeline(pipeline: ValidPipeline, kinds: readonly StageKind[], opts: ExpandOptions): Result<Plan, Diagnostic[]> {
  const { diags, report } = problemCollector();
  const { params, stages } = applySets(pipeline, opts.sets ?? [], report);
  const { instances, groups } = instantiate(pipeline, stages, params, kinds, report);
  const ids = new Set(instances.map((i) => i.id));
  const targets: Targets = {
    resolve: (name) => (ids.has(name) ? [name] : groups.has(name) ? groups.get(name)! : undefined),
    suggestions: () => [...groups.keys(), ...(ids.size < 2000 ? ids : [])],
  };
  const baseSeed = typeof params.seed === 'number' ? params.seed : 0;
  const deps = new Map<StageId, Map<StageId, Edge>>();
  const nodes = new Map<StageId, PlanNode>();
  for (const inst of instances) {
    const d = declaredDependencies(inst, targets, pipeline, stages, report);
    deps.set(inst.id, d); // part of the graph even when its parameters are wrong, so cycles through it are found too
    if (!paramsValid(inst, pipeline, report)) continue;
    if (!paramsChecked(inst, pipeline, report)) continue;
    addReferences(inst, d, targets, pipeline, report);
    nodes.set(inst.id, planNode(inst, d, inst.seedOverride ?? opts.h32(`${baseSeed}:${inst.id}`)));
  }
  // Cycles are looked for even when other problems were found (all problems in one pass).
  const order = topoOrder(instances.map((i) => i.id), deps);
  if (order.ok && diags.length === 0) {
    const ordered = order.value.map((id) => nodes.get(id)!);
    return { ok: true, value: { state: 'plan', pipeline, nodes: ordered, byId: new Map(ordered.map((n) => [n.id, n])), groups } };
  }
  if (!order.ok) report(cycleDiagnostic(order.error, instances, deps, pipeline, stages));
  // In file order, as a reader goes through the pipeline.
  diags.sort((x, y) => (x.location?.range.start ?? -1) - (y.location?.range.start ?? -1));
  return { ok: false, error: diags };
}

/** Diagnostics in report order, each message reported once per location (a template shared by many instances fails once). */
function problemCollector(): { diags: Diagnostic[]; report: (d: Diagnostic) => void } {
  const diags: Diagnostic[] = [];
  const seen = new Set<string>();
  return {
    diags,
    report: (d) => {
      const sig = `${d.message}@${d.location?.range.start ?? -1}`;
      if (!seen.has(sig)) {
        seen.add(sig);
        diags.push(d);
      }
    },
  };
}

/** Every stage's instances, in declaration order, and each base id's instance ids. */
function instantiate(pipeline: ValidPipeline, stages: Record<string, RawStage>, params: Record<string, unknown>, kinds: readonly StageKind[], report: (d: Diagnostic) => void): { instances: Instance[]; groups: Map<string, StageId[]> } {
  const kindByName = new Map(kinds.map((k) => [k.kind, k]));
  const instances: Instance[] = [];
  const groups = new Map<string, StageId[]>();
  for (const [baseId, stage] of Object.entries(stages)) {
    const kind = kindByName.get(stage.uses);
    if (!kind) {
      report(error(`unknown stage kind '${stage.uses}' in stage '${baseId}'${didYouMean(stage.uses, kindByName.keys())}; known kinds: ${[...kindByName.keys()].join(', ')}`, pipeline.locate(['stages', baseId, 'uses'])));
      groups.set(baseId, []);
      continue;
    }
    const own = instancesOf(pipeline, baseId, stage, kind, params, report);
    instances.push(...own);
    groups.set(baseId, own.map((i) => i.id));
  }
  return { instances, groups };
}

/**
 * The instances of one stage. `with` and `needs` are compiled once: params and their errors resolve
 * here, only matrix values vary per instance.
 */
function instancesOf(pipeline: ValidPipeline, baseId: string, stage: RawStage, kind: StageKind, params: Record<string, unknown>, report: (d: Diagnostic) => void): Instance[] {
  const combos = expandMatrix(pipeline, baseId, stage, params, report);
  reportIdCollisions(pipeline, baseId, combos, report);
  const stageRefs: StageRef[] = [];
  const shellPaths = new Set((kind.shellParams ?? []).map((k) => `stages.${baseId}.with.${k}`));
  const ctx: CompileCtx = { pipeline, baseId, params, axes: matrixAxes(stage), report, stageRefs, shellPaths };
  const withTmpl = compileTemplate(stage.with ?? {}, ['stages', baseId, 'with'], ctx);
  const needsRaw = stage.needs === undefined ? [] : Array.isArray(stage.needs) ? stage.needs : [stage.needs];
  const needsTmpl = needsRaw.map((n, index) => ({ t: compileTemplate(n, needsPath(stage, baseId, index), { ...ctx, stageRefs: [], shellPaths: undefined }), index }));
  return combos.map((combo) => {
    const id = instanceId(baseId, combo);
    // A fresh top-level object per instance (seed is taken out, defaults go in); nested static parts are shared.
    const interpolated = (withTmpl.dynamic ? withTmpl.build(combo) : { ...(withTmpl.value as Record<string, unknown>) }) as Record<string, unknown>;
    const seedOverride = takeSeed(interpolated, pipeline, baseId, report);
    const needs = needsTmpl.map(({ t, index }) => ({ name: String(build(t, combo)), index }));
    return { id, baseId, kind, params: interpolated, matrix: combo, seedOverride, needs, stageRefs };
  });
}

/** Removes `seed` from an instance's parameters: it is the instance's seed, not a parameter of the kind. */
function takeSeed(params: Record<string, unknown>, pipeline: ValidPipeline, baseId: string, report: (d: Diagnostic) => void): number | undefined {
  if (!('seed' in params)) return undefined;
  const s = params.seed;
  delete params.seed;
  if (typeof s === 'number' && Number.isInteger(s) && s >= 0) return s;
  report(error(`stages.${baseId}.with.seed: expected a non-negative integer, got ${JSON.stringify(s)}`, pipeline.locate(['stages', baseId, 'with', 'seed'])));
  return undefined;
}

/** Where `needs` item `index` of a stage is written (a lone string has no index). */
function needsPath(stage: RawStage | undefined, baseId: string, index: number): (string | number)[] {
  return ['stages', baseId, 'needs', ...(Array.isArray(stage?.needs) ? [index] : [])];
}

/** The upstream instances an instance's `needs` and `${{ stages.… }}` name; unknown or ambiguous names are reported. */
function declaredDependencies(inst: Instance, targets: Targets, pipeline: ValidPipeline, stages: Record<string, RawStage>, report: (d: Diagnostic) => void): Map<StageId, Edge> {
  const d = new Map<StageId, Edge>();
  for (const n of inst.needs) {
    const found = targets.resolve(n.name);
    if (!found) {
      report(error(`stage '${inst.id}' needs '${n.name}', which is not a stage of this pipeline${didYouMean(n.name, targets.suggestions())}`, pipeline.locate(needsPath(stages[inst.baseId], inst.baseId, n.index))));
      continue;
    }
    for (const t of found) d.set(t, { index: n.index });
  }
  for (const ref of inst.stageRefs) {
    const found = targets.resolve(ref.stage);
    if (!found) {
      report(error(`\${{ stages.${ref.stage}.outputs.${ref.output} }} names no stage of this pipeline${didYouMean(ref.stage, targets.suggestions())}`, pipeline.locate(ref.path)));
    } else if (found.length !== 1) {
      report(error(`\${{ stages.${ref.stage}.outputs.${ref.output} }} is ambiguous: '${ref.stage}' has ${found.length} matrix instances; name one (e.g. '${found[0]}')`, pipeline.locate(ref.path)));
    } else if (!d.has(found[0]!)) d.set(found[0]!, null);
  }
  return d;
}

/** Checks an instance's parameters against its kind's schema, applying the schema's defaults (they enter the key). */
function paramsValid(inst: Instance, pipeline: ValidPipeline, report: (d: Diagnostic) => void): boolean {
  const validate = kindValidator(inst.kind);
  if (validate.fast(inst.params)) return true;
  const full = validate.full();
  full(inst.params);
  for (const diag of ajvDiagnostics(full.errors ?? [], ['stages', inst.baseId, 'with'], pipeline.locate, `stages.${inst.baseId}.with`)) report(diag);
  return false;
}

/** The kind's own checks of schema-valid parameters (StageKind.check), reported at the parameter's line. */
function paramsChecked(inst: Instance, pipeline: ValidPipeline, report: (d: Diagnostic) => void): boolean {
  const problems = inst.kind.check?.(inst.params) ?? [];
  for (const p of problems) report(error(`stages.${inst.id}.with.${p.path.join('.')}: ${p.message}`, pipeline.locate(['stages', inst.baseId, 'with', ...p.path])));
  return problems.length === 0;
}

/** Adds the stages the kind says its (valid) parameters name (`init: base`), and refuses a stage that needs itself. */
function addReferences(inst: Instance, d: Map<StageId, Edge>, targets: Targets, pipeline: ValidPipeline, report: (d: Diagnostic) => void): void {
  for (const r of inst.kind.references?.(inst.params) ?? []) {
    const found = targets.resolve(r);
    if (!found) {
      report(error(`stage '${inst.id}' refers to '${r}' in its parameters, which is not a stage of this pipeline${didYouMean(r, targets.suggestions())}`, pipeline.locate(['stages', inst.baseId, 'with'], 'key')));
    } else for (const t of found) if (!d.has(t)) d.set(t, null);
  }
  if (d.has(inst.id)) {
    report(error(`stage '${inst.id}' needs itself`, pipeline.locate(['stages', inst.baseId, 'needs'])));
    d.delete(inst.id);
  }
}

function planNode(inst: Instance, d: ReadonlyMap<StageId, Edge>, seed: number): PlanNode {
  const res = inst.kind.resources?.(inst.params) ?? {};
  return {
    id: inst.id,
    baseId: inst.baseId,
    kind: inst.kind.kind,
    params: inst.params,
    matrix: inst.matrix,
    needs: [...d.keys()].sort(),
    seed,
    resources: { cpus: Math.max(1, res.cpus ?? 1), gpus: Math.max(0, res.gpus ?? 0), wantsGpu: res.wantsGpu === true, cpusWithGpu: Math.max(1, res.cpusWithGpu ?? res.cpus ?? 1) },
    externalInputs: inst.kind.externalInputs?.(inst.params) ?? [],
    cacheable: inst.kind.cacheable?.(inst.params) ?? true,
  };
}

/** One diagnostic for a cycle, with one related location per edge ("a needs b", …, "closing the cycle"). */
function cycleDiagnostic(cycle: StageId[], instances: readonly Instance[], deps: ReadonlyMap<StageId, ReadonlyMap<StageId, Edge>>, pipeline: ValidPipeline, stages: Record<string, RawStage>): Diagnostic {
  const byId = new Map(instances.map((i) => [i.id, i]));
  const related = cycle.map((from, i) => {
    const to = cycle[(i + 1) % cycle.length]!;
    const inst = byId.get(from)!;
    const edge = deps.get(from)!.get(to);
    const location: Location = edge ? pipeline.locate(needsPath(stages[inst.baseId], inst.baseId, edge.index)) : pipeline.locate(['stages', inst.baseId, 'with'], 'key');
    return { message: i === cycle.length - 1 ? `'${from}' needs '${to}', closing the cycle` : `'${from}' needs '${to}'`, location };
  });
  return error(`dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`, related[0]!.location, related);
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
