/**
 * Renders Diagnostics (house rule 3): `path:line:col message`, the source line, and an underline
 * under the range; related locations (each edge of a cycle) follow, indented.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Diagnostic, Location } from '../runner/diagnostics.ts';

/** `^~~~` under columns [start, end) of one line (exported for unit tests). */
export function drawSquiggle(lineText: string, startCol: number, endCol: number, indent = ''): string {
  const width = Math.max(1, Math.min(endCol, lineText.length) - startCol);
  const lead = lineText.slice(0, startCol).replace(/[^\t]/g, ' ');
  return `${indent}${lead}^${'~'.repeat(width - 1)}`;
}

const sources = new Map<string, string>();
/** The text of a source file (memoised), or undefined when it cannot be read. */
export function sourceOf(file: string): string | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }
  return sources.get(file);
}

/** 1-based line and column of an offset. */
export function position(text: string, offset: number): { line: number; col: number; lineStart: number; lineEnd: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  return { line, col: offset - lineStart + 1, lineStart, lineEnd };
}

function renderLocation(loc: Location, message: string, cwd: string, indent: string): string {
  const text = sourceOf(loc.file);
  const name = relative(cwd, loc.file) || loc.file;
  if (text === undefined) return `${indent}${name} ${message}`;
  const p = position(text, loc.range.start);
  const lineText = text.slice(p.lineStart, p.lineEnd);
  const end = Math.min(loc.range.end, p.lineEnd) - p.lineStart;
  return `${indent}${name}:${p.line}:${p.col} ${message}\n${indent}    ${lineText}\n${drawSquiggle(lineText, p.col - 1, end, `${indent}    `)}`;
}

export function renderDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const head = d.severity === 'warning' ? 'warning: ' : '';
  const main = d.location ? renderLocation(d.location, `${head}${d.message}`, cwd, '') : `${head}${d.message}`;
  const related = d.related.map((r) => renderLocation(r.location, r.message, cwd, '  '));
  return [main, ...related].join('\n');
}

export function renderDiagnostics(ds: readonly Diagnostic[], cwd = process.cwd()): string {
  const n = ds.filter((d) => d.severity === 'error').length;
  return `${ds.map((d) => renderDiagnostic(d, cwd)).join('\n\n')}\n\n${n} problem${n === 1 ? '' : 's'} found.\n`;
}
