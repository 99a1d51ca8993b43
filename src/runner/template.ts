/**
 * The one reader of `${{ … }}` in pipelines. A string is a template: literal text and placeholders,
 * each holding one expression — `params.<path>`, `matrix.<path>` or `stages.<id>.outputs.<name>`.
 * Expansion (expand.ts) fills in params and matrix values when it builds the plan and leaves output
 * references verbatim; execution (execute.ts) fills those in once the upstream artifact exists. Both
 * parse with `parseTemplate` and assemble with `joinTemplate`, so the syntax and the typing rule live
 * here only.
 */

const PLACEHOLDER = /\$\{\{\s*(.*?)\s*\}\}/g;
const OUTPUT_REF = /^stages\.([^.\s]+(?:@[^.\s]*)?)\.outputs\.([^\s}]+)$/;

export type Expr =
  /** `stages.<id>.outputs.<name>`: an upstream output's absolute path, known only at run time. */
  | { readonly type: 'output'; readonly stage: string; readonly output: string }
  /** `<scope>.<path…>` (params or matrix; any other scope is an error the caller reports). */
  | { readonly type: 'lookup'; readonly scope: string; readonly path: readonly string[] };

export interface Placeholder {
  /** The placeholder as written, `${{ … }}`: what stays in the text when it is not filled in. */
  readonly source: string;
  /** The expression inside, trimmed (for messages). */
  readonly text: string;
  readonly expr: Expr;
}

/** Literal text or a placeholder, in order. */
export type Segment = string | Placeholder;

export function parseExpr(text: string): Expr {
  const ref = OUTPUT_REF.exec(text);
  if (ref) return { type: 'output', stage: ref[1]!, output: ref[2]! };
  const [scope, ...path] = text.split('.');
  return { type: 'lookup', scope: scope!, path };
}

/** Whether `value` holds any placeholder syntax at all (the fast path: most strings do not). */
export function isTemplate(value: string): boolean {
  return value.includes('${{');
}

/** The segments of a template string; a string without placeholders is one literal segment. */
export function parseTemplate(value: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const m of value.matchAll(PLACEHOLDER)) {
    if (m.index! > last) segments.push(value.slice(last, m.index));
    last = m.index! + m[0].length;
    segments.push({ source: m[0], text: m[1]!, expr: parseExpr(m[1]!) });
  }
  if (last < value.length || segments.length === 0) segments.push(value.slice(last));
  return segments;
}

/**
 * The value of a template whose segments have been replaced by `values`: a template that is exactly
 * one placeholder takes that value with its own type (a number, a list, an object); otherwise the
 * pieces are joined as text, strings as they are and other values as JSON.
 */
export function joinTemplate(values: readonly unknown[]): unknown {
  if (values.length === 1) return values[0];
  let out = '';
  for (const v of values) out += typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}
