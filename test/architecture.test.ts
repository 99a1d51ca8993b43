/**
 * House rules 1 and 10, checked on the sources: the runner and the cache know nothing of physics or of
 * stage implementations, stages know nothing of scheduling, and only the CLI/reporter layer prints.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(relative(root, p)));
    else if (name.endsWith('.ts')) out.push(relative(root, p));
  }
  return out;
}

/** Relative import specifiers of a file, resolved to repository paths. */
function localImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)];
  return specs.map((m) => relative(root, resolve(dirname(join(root, file)), m[1] ?? m[2]!)));
}

describe('module boundaries', () => {
  const forbiddenForRunner = ['stages/', 'src/physics/', 'src/io/', 'src/gan/', 'src/metrics/', 'src/plot/', 'src/report/'];

  it('the runner and the cache import nothing from stages or the science libraries', () => {
    const offenders: string[] = [];
    for (const file of [...sourceFiles('src/runner'), ...sourceFiles('src/cache')]) {
      for (const target of localImports(file)) {
        if (forbiddenForRunner.some((prefix) => target.startsWith(prefix))) offenders.push(`${file} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('stages import nothing of scheduling, caching or executors', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles('stages')) {
      for (const target of localImports(file)) {
        if (target.startsWith('src/runner/') || target.startsWith('src/cache/') || target.startsWith('src/cli/')) {
          offenders.push(`${file} → ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only the CLI and reporter layer writes to the console', () => {
    const allowed = (f: string) => f.startsWith('src/cli/') || f.startsWith('src/reporters/');
    const offenders = [...sourceFiles('src'), ...sourceFiles('stages')]
      .filter((f) => !allowed(f))
      .filter((f) => /\bconsole\.(log|error|warn|info|debug)\s*\(/.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
