/**
 * How a command reports input problems: rendered for people on stderr, and, with `--json`, also as
 * one error document on stdout (src/reporters/errors.ts). Returns the exit code (1).
 */
import type { InputError } from '../util/errors.ts';
import type { Diagnostic } from '../runner/diagnostics.ts';
import { renderDiagnostics } from '../reporters/diagnostics.ts';
import { errorDocument } from '../reporters/errors.ts';

/** Pipeline diagnostics (load, validation, expansion, selection). */
export function failWithDiagnostics(ds: readonly Diagnostic[], json: boolean): number {
  process.stderr.write(renderDiagnostics(ds));
  if (json) process.stdout.write(`${JSON.stringify(errorDocument(ds))}\n`);
  return 1;
}

/** An InputError that ended command `name`. */
export function failWithInputError(name: string, err: InputError, json: boolean): number {
  process.stderr.write(`nugan ${name}: ${err.render()}\n`);
  if (json) process.stdout.write(`${JSON.stringify(errorDocument(err))}\n`);
  return 1;
}
