/**
 * Phase 1: YAML text → `ValidPipeline` (house rule 2). Parses with the `yaml` Document API so every
 * node keeps its source range, validates against schemas/pipeline.schema.json with ajv, and maps each
 * ajv error back to the offending key or value. Runs nothing and never throws on bad input: every
 * problem becomes a Diagnostic, all in one pass.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
// Imported, not read from disk: the single-file bundle carries it inside.
import pipelineSchema from '../../schemas/pipeline.schema.json' with { type: 'json' };
import { didYouMean, error, type Diagnostic, type Location } from './diagnostics.ts';

// ajv ships CommonJS with `exports.default`; under NodeNext the default import is the module object.
// The 2020-12 dialect: our schemas declare it, and it also reads the draft-07 subset stage kinds use.
const Ajv = ((Ajv2020Module as unknown as { default?: typeof Ajv2020Module }).default ?? Ajv2020Module) as unknown as typeof Ajv2020Module.default;
export type AjvInstance = InstanceType<typeof Ajv>;

export function createAjv(opts: { allErrors?: boolean } = {}): AjvInstance {
  const allErrors = opts.allErrors ?? true;
  // `verbose` (schema and data in each error) only where errors are rendered; it slows the fast path.
  // Compile time matters (every CLI start compiles the schemas): skip meta-schema validation (our
  // schemas are checked by test/runner) and code optimisation passes.
  return new Ajv({ allErrors, useDefaults: true, strict: false, verbose: allErrors, validateSchema: false, code: { optimize: false } });
}

export interface RawStage {
  readonly uses: string;
  readonly description?: string;
  readonly needs?: string | string[];
  readonly with?: Record<string, unknown>;
  readonly matrix?: Record<string, unknown>;
}

/** A pipeline whose document matches the pipeline schema (stage kinds and references not checked yet). */
export interface ValidPipeline {
  readonly state: 'valid';
  readonly file: string;
  readonly dir: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly stages: Record<string, RawStage>;
  readonly slurm: Record<string, unknown> | undefined;
  /** The pipeline's `remote:` cache entry, as written (a URL or {url, push}; src/cache/remote/config.ts reads it). */
  readonly remote: unknown;
  /** Source location of the node at `path` (its key when `part` is 'key'); the closest existing ancestor otherwise. */
  locate(path: readonly (string | number)[], part?: 'key' | 'value'): Location;
}

/** Alias expansions a pipeline may make: generous for real pipelines, small enough to stop an alias bomb at once. */
const MAX_ALIAS_COUNT = 10_000;

/** Scalars that YAML reads as ±infinity or NaN (`.inf`, `-.inf`, `.nan`): no parameter can mean them, and JSON (manifests, keys) cannot hold them. */
function nonFiniteNumbers(doc: Document): { source: string; start: number; end: number }[] {
  const found: { source: string; start: number; end: number }[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && !Number.isFinite(node.value) && node.range) {
        found.push({ source: String(node.source ?? node.value), start: node.range[0], end: node.range[1] });
      }
    },
  });
  return found;
}

let pipelineValidator: ValidateFunction | undefined;
let sharedAjv: AjvInstance | undefined;

export function pipelineAjv(): AjvInstance {
  sharedAjv ??= createAjv();
  return sharedAjv;
}

function validatorForPipeline(): ValidateFunction {
  pipelineValidator ??= pipelineAjv().compile(pipelineSchema as object);
  return pipelineValidator;
}

/**
 * On schema errors confined to some stages, `partial` holds the pipeline without them (`dropped`), so
 * callers can report the other stages' problems in the same pass.
 */
export type LoadResult =
  | { readonly ok: true; readonly value: ValidPipeline }
  | { readonly ok: false; readonly error: Diagnostic[]; readonly partial?: { readonly pipeline: ValidPipeline; readonly dropped: ReadonlySet<string> } };

/** Reads and validates `file`; `text` overrides the file content (tests, editors). */
export function loadPipeline(file: string, text?: string): LoadResult {
  const abs = resolve(file);
  let source: string;
  try {
    source = text ?? readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, error: [error(code === 'ENOENT' ? `pipeline file ${abs} does not exist` : `cannot read pipeline ${abs}: ${(err as Error).message}`)] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (start: number, end: number): Location => ({ file: abs, range: { start, end: Math.max(end, start + 1) } });
  if (doc.errors.length > 0) {
    return { ok: false, error: doc.errors.map((e) => error(`YAML: ${e.message.split('\n')[0]}`, at(e.pos[0], e.pos[1]))) };
  }
  const locate = (path: readonly (string | number)[], part: 'key' | 'value' = 'value'): Location => locateIn(doc, abs, path, part);
  const nonFinite = nonFiniteNumbers(doc).map((n) => error(`YAML: ${n.source} is not a finite number; parameters are finite numbers (an event count, an energy in GeV), as in JSON`, at(n.start, n.end)));
  if (nonFinite.length > 0) return { ok: false, error: nonFinite };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // yaml refuses documents whose aliases expand past maxAliasCount (a "billion laughs" bomb) with a ReferenceError.
    if (!(err instanceof ReferenceError)) throw err;
    return { ok: false, error: [error(`YAML: the document's aliases (*name) expand to more than ${MAX_ALIAS_COUNT.toLocaleString('en')} nodes; write the values out or use fewer nested aliases`, at(0, 1))] };
  }
  const validate = validatorForPipeline();
  const make = (p: { name?: string; params?: Record<string, unknown>; stages: Record<string, RawStage>; slurm?: Record<string, unknown>; remote?: unknown }): ValidPipeline => ({
      state: 'valid',
      file: abs,
      dir: dirname(abs),
      name: p.name ?? abs.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
      params: p.params ?? {},
      stages: p.stages,
      slurm: p.slurm,
      remote: p.remote,
      locate,
  });
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    const diagnostics = ajvDiagnostics(errors, [], locate, '');
    // So that all problems come in one pass: when only some stages are malformed, the others can
    // still be expanded and checked (kinds, params, needs) by the caller.
    const badStages = new Set<string>();
    let onlyStages = true;
    for (const e of errors) {
      const m = /^\/stages\/([^/]+)/.exec(e.instancePath);
      if (m) badStages.add(m[1]!.replace(/~1/g, '/').replace(/~0/g, '~'));
      else onlyStages = false;
    }
    const raw = data as { stages?: Record<string, RawStage> };
    if (onlyStages && raw && typeof raw === 'object' && raw.stages && typeof raw.stages === 'object') {
      const stages = Object.fromEntries(Object.entries(raw.stages).filter(([id]) => !badStages.has(id)));
      return { ok: false, error: diagnostics, partial: { pipeline: make({ ...(raw as object), stages } as Parameters<typeof make>[0]), dropped: badStages } };
    }
    return { ok: false, error: diagnostics };
  }
  const p = data as { name?: string; params?: Record<string, unknown>; stages: Record<string, RawStage>; slurm?: Record<string, unknown>; remote?: unknown };
  return { ok: true, value: make(p) };
}

function locateIn(doc: Document, file: string, path: readonly (string | number)[], part: 'key' | 'value'): Location {
  let node: unknown = doc.contents;
  let keyNode: YamlNode | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key as YamlNode;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      keyNode = undefined;
      node = node.items[seg];
    } else break;
  }
  const target = part === 'key' && keyNode ? keyNode : (node as YamlNode | null) ?? keyNode;
  const range = target?.range ?? [0, 1, 1];
  // For collections the whole node would be underlined across lines: underline the first line only.
  const end = isMap(target) || isSeq(target) ? range[0] + 1 : range[1];
  return { file, range: { start: range[0], end: Math.max(end, range[0] + 1) } };
}

const decodePointer = (p: string) => (p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));

/**
 * Turns ajv errors into diagnostics. `prefix` is the document path of the validated value (e.g.
 * ['stages', 'train', 'with']), `what` names it in messages.
 */
export function ajvDiagnostics(
  errors: readonly ErrorObject[],
  prefix: readonly (string | number)[],
  locate: (path: readonly (string | number)[], part?: 'key' | 'value') => Location,
  what: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const segs = decodePointer(e.instancePath).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const path = [...prefix, ...segs];
    const dotted = [what, ...segs].filter((s) => s !== '').join('.') || 'the pipeline';
    let d: Diagnostic;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
        d = error(`unknown key '${key}' in ${dotted}${didYouMean(key, known)}${known.length ? `; expected one of: ${known.join(', ')}` : ''}`, locate([...path, key], 'key'));
        break;
      }
      case 'required':
        d = error(`${dotted} is missing the required key '${(e.params as { missingProperty: string }).missingProperty}'`, locate(path, 'key'));
        break;
      case 'type':
        d = error(`${dotted}: expected ${[e.params.type].flat().join(' or ')}, got ${describe(e.data)}`, locate(path));
        break;
      case 'enum':
        d = error(`${dotted}: expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}${typeof e.data === 'string' ? didYouMean(e.data, (e.params as { allowedValues: unknown[] }).allowedValues.map(String)) : ''}`, locate(path));
        break;
      case 'propertyNames':
        continue; // reported by the nested `pattern` error, which names the key
      case 'pattern':
        if (e.propertyName !== undefined) {
          d = error(`${dotted}: the name '${e.propertyName}' must match ${(e.params as { pattern: string }).pattern}`, locate([...path, e.propertyName], 'key'));
        } else d = error(`${dotted}: expected a string matching ${(e.params as { pattern: string }).pattern}, got ${JSON.stringify(e.data)}`, locate(path));
        break;
      default:
        d = error(`${dotted}: ${e.message ?? 'is invalid'}${e.data !== undefined && typeof e.data !== 'object' ? ` (got ${JSON.stringify(e.data)})` : ''}`, locate(path));
    }
    const sig = `${d.message}@${d.location?.range.start}`;
    if (!seen.has(sig)) {
      seen.add(sig);
      out.push(d);
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
