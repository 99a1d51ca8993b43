/**
 * Expansion-time interpolation: a stage's `with`, `needs` and matrix axes are compiled once per stage
 * (templates read by template.ts), with `${{ params.… }}` resolved right away and `${{ matrix.… }}`
 * left as holes that each matrix instance fills in — a 100k-instance matrix builds its parameters
 * without re-parsing a string. `${{ stages.<id>.outputs.<name> }}` stays verbatim (execute.ts fills it
 * in at run time) and is recorded so the planner can check the stage and add the dependency.
 */
import { didYouMean, error, type Diagnostic } from './diagnostics.ts';
import type { ValidPipeline } from './load.ts';
import { joinShell } from './shell-quote.ts';
import { isTemplate, joinTemplate, parseTemplate, type Expr } from './template.ts';

/** Where a `${{ stages.<id>.outputs.<name> }}` was written. */
export interface StageRef {
  readonly stage: string;
  readonly output: string;
  readonly path: readonly (string | number)[];
}

export interface CompileCtx {
  readonly pipeline: ValidPipeline;
  readonly baseId: string;
  /** Pipeline params after `--set`. */
  readonly params: Record<string, unknown>;
  /** Matrix axes of the stage, undefined when it has no matrix. */
  readonly axes: ReadonlySet<string> | undefined;
  readonly report: (d: Diagnostic) => void;
  /** Receives every output reference met while compiling. */
  readonly stageRefs: StageRef[];
  /**
   * Dotted paths (`stages.<id>.with.run`) of strings a shell runs (StageKind.shellParams): values
   * interpolated into them are shell-quoted (shell-quote.ts).
   */
  readonly shellPaths?: ReadonlySet<string>;
}

/** A value compiled once per stage: static, or built from an instance's matrix values. */
export type Template =
  | { readonly dynamic: false; readonly value: unknown }
  | { readonly dynamic: true; readonly build: (matrix: Record<string, unknown> | undefined) => unknown };

export function build(t: Template, matrix: Record<string, unknown> | undefined): unknown {
  return t.dynamic ? t.build(matrix) : t.value;
}

/** Compiles every string inside `value` (at `path` in the pipeline file) into one template. */
export function compileTemplate(value: unknown, path: (string | number)[], ctx: CompileCtx): Template {
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

/** A piece of a compiled string: literal text, a matrix hole, or a resolved constant. */
type Piece = string | { readonly axis: string; readonly rest: readonly string[] } | { readonly constant: unknown };

function compileString(value: string, path: (string | number)[], ctx: CompileCtx): Template {
  if (!isTemplate(value)) return { dynamic: false, value };
  const pieces: Piece[] = parseTemplate(value).map((seg): Piece => {
    if (typeof seg === 'string') return seg;
    const e = seg.expr;
    if (e.type === 'output') {
      ctx.stageRefs.push({ stage: e.stage, output: e.output, path });
      return seg.source; // kept verbatim; resolved to an absolute path when the upstream artifact exists
    }
    if (e.scope === 'matrix' && ctx.axes && e.path.length > 0 && ctx.axes.has(e.path[0]!)) return { axis: e.path[0]!, rest: e.path.slice(1) };
    const r = resolveLookup(e, seg.text, path, ctx);
    return r.found ? { constant: r.value } : seg.source;
  });
  const valueOf = (p: Piece, m: Record<string, unknown> | undefined): unknown =>
    typeof p === 'string' ? p : 'constant' in p ? p.constant : lookup(m?.[p.axis], p.rest);
  const shell = ctx.shellPaths?.has(path.join('.')) === true;
  const make = shell
    ? (m: Record<string, unknown> | undefined) => joinShell(pieces.map((p) => (typeof p === 'string' ? { literal: p } : { value: valueOf(p, m) })))
    : (m: Record<string, unknown> | undefined) => joinTemplate(pieces.map((p) => valueOf(p, m)));
  return pieces.some((p) => typeof p === 'object' && 'axis' in p) ? { dynamic: true, build: make } : { dynamic: false, value: make(undefined) };
}

function lookup(root: unknown, segs: readonly string[]): unknown {
  let cur = root;
  for (const seg of segs) cur = (cur as Record<string, unknown>)[seg];
  return cur;
}

/**
 * The value of a `params.…` expression; `matrix.…` reaching here names no axis of the stage. Every
 * miss is reported with what exists at the point it failed.
 */
function resolveLookup(e: Extract<Expr, { type: 'lookup' }>, text: string, path: (string | number)[], ctx: CompileCtx): { found: boolean; value?: unknown } {
  const where = () => ctx.pipeline.locate(path);
  const { scope, path: rest } = e;
  if (scope === 'params' || scope === 'matrix') {
    const root = scope === 'params' ? ctx.params : ctx.axes ? Object.fromEntries([...ctx.axes].map((a) => [a, null])) : undefined;
    if (!root) {
      ctx.report(error(`\${{ ${text} }} names nothing: stage '${ctx.baseId}' has no matrix`, where()));
      return { found: false };
    }
    let cur: unknown = root;
    for (let i = 0; i < rest.length; i++) {
      const seg = rest[i]!;
      if (cur && typeof cur === 'object' && seg in (cur as object)) cur = (cur as Record<string, unknown>)[seg];
      else {
        const known = cur && typeof cur === 'object' ? Object.keys(cur) : [];
        ctx.report(error(`\${{ ${text} }} names nothing: ${[scope, ...rest.slice(0, i)].join('.')} has no '${seg}'${didYouMean(seg, known)}${known.length ? `; it has: ${known.join(', ')}` : ''}`, where()));
        return { found: false };
      }
    }
    if (rest.length === 0) {
      ctx.report(error(`\${{ ${text} }} names nothing: write ${scope}.<name>`, where()));
      return { found: false };
    }
    return { found: true, value: cur };
  }
  ctx.report(error(`\${{ ${text} }} names nothing: expected params.<name>, matrix.<name> or stages.<id>.outputs.<name>${didYouMean(scope ?? '', ['params', 'matrix', 'stages'])}`, where()));
  return { found: false };
}
