/**
 * Shared option parsing for subcommands (node:util parseArgs), with errors a user can act on.
 * Every command calls `parseCommandArgs` and prints `help` on --help.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../util/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Parses `argv` for command `name`; unknown options become an InputError naming the valid ones. */
export function parseCommandArgs(name: string, argv: string[], options: Options, allowPositionals = true): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const valid = Object.keys(options).map((o) => `--${o}`).join(', ');
    throw new InputError(`${(err as Error).message.split('\n')[0]} (nugan ${name} accepts: ${valid})`);
  }
}

/** A required numeric option; `what` says the unit ("GeV", "events"). */
export function numberOption(args: ParsedArgs, key: string, what: string): number | undefined {
  const raw = args.values[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value)) {
    throw new InputError(`--${key} expects a number (${what}), got '${String(raw)}'`);
  }
  return value;
}

/** Parses `A:B` into [A, B] with A < B; `what` names the unit. */
export function rangeOption(args: ParsedArgs, key: string, what: string): [number, number] | undefined {
  const raw = args.values[key];
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? /^\s*([^:]+):([^:]+)\s*$/.exec(raw) : null;
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
    throw new InputError(`--${key} expects A:B with A < B (${what}), got '${String(raw)}'`);
  }
  return [a, b];
}

/** The options every command that runs a GAN engine takes. */
export const ENGINE_OPTIONS: Options = { device: { type: 'string' }, threads: { type: 'string' } };

/** `--device auto|gpu|cpu` (default auto) and `--threads N` (a positive integer, or absent). */
export function engineOptions(args: ParsedArgs): { device: 'auto' | 'gpu' | 'cpu'; threads?: number } {
  const device = String(args.values.device ?? 'auto');
  if (device !== 'auto' && device !== 'gpu' && device !== 'cpu') throw new InputError(`--device expects auto, gpu or cpu, got '${device}'`);
  const threads = numberOption(args, 'threads', 'threads');
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new InputError(`--threads expects a positive integer, got ${threads}`);
  return { device, ...(threads !== undefined ? { threads } : {}) };
}
