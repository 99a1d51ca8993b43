/**
 * The JSON error document a command prints on stdout when it runs with `--json` and stops on bad
 * input (house rule 10: with `--json`, exactly one document on stdout):
 *
 *     {"error": {"message": "...", "file": "...", "line": 12, "column": 7}}
 *
 * `line` (1-based) for text files, `entry` (0-based) for binary files such as ROOT trees, `column` a
 * column number for pipeline files or a column name for tables; each only when known. A pipeline with
 * several problems adds them all under `problems`, each in the same shape.
 */
import { InputError } from '../util/errors.ts';
import type { Diagnostic } from '../runner/diagnostics.ts';
import { position, sourceOf } from './diagnostics.ts';

export interface ErrorDetail {
  message: string;
  file?: string;
  line?: number;
  entry?: number;
  column?: number | string;
}

export interface ErrorDocument {
  error: ErrorDetail & { problems?: ErrorDetail[] };
}

function fromDiagnostic(d: Diagnostic): ErrorDetail {
  const out: ErrorDetail = { message: d.message };
  if (!d.location) return out;
  out.file = d.location.file;
  const text = sourceOf(d.location.file);
  if (text !== undefined) {
    const p = position(text, d.location.range.start);
    out.line = p.line;
    out.column = p.col;
  }
  return out;
}

function fromInputError(e: InputError): ErrorDetail {
  const out: ErrorDetail = { message: e.message };
  if (e.file !== undefined) out.file = e.file;
  if (e.where?.line !== undefined) out.line = e.where.line;
  else if (e.where?.entry !== undefined) out.entry = e.where.entry;
  if (e.where?.column !== undefined) out.column = e.where.column;
  return out;
}

/** The error document of an input error or of a pipeline's diagnostics (the first error leads). */
export function errorDocument(problem: InputError | readonly Diagnostic[]): ErrorDocument {
  if (problem instanceof InputError) return { error: fromInputError(problem) };
  const details = problem.map(fromDiagnostic);
  const first = problem.findIndex((d) => d.severity === 'error');
  const lead = details[first >= 0 ? first : 0] ?? { message: 'unknown problem' };
  return { error: details.length > 1 ? { ...lead, problems: details } : lead };
}
