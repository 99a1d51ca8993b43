/**
 * The house rules on imports, checked on the sources (DESIGN.md §3, STYLE.md rules 1 and 10): every
 * "never" of the design is one row of FORBIDDEN, no module under src/ takes part in an import cycle,
 * and only the CLI/reporter layer prints.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(relative(root, p)));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(root, p));
  }
  return out;
}

/** Relative import specifiers of a file (static, re-exports and dynamic), resolved to repository paths. */
function localImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|^\s*import\s+['"](\.[^'"]+)['"]/gm)];
  return specs.map((m) => relative(root, resolve(dirname(join(root, file)), m[1] ?? m[2] ?? m[3]!)));
}

/** The libraries stages use: nothing below the stage layer may know them. */
const SCIENCE = ['src/physics/', 'src/io/', 'src/simulate/', 'src/gan/', 'src/metrics/', 'src/plot/', 'src/study-report/'];

/** [importer folder, folders it must never import, why]. */
const FORBIDDEN: readonly (readonly [string, readonly string[], string])[] = [
  ['src/runner/', [...SCIENCE, 'stages/'], 'the runner knows nothing of physics or of what a stage does'],
  ['src/cache/', [...SCIENCE, 'stages/', 'src/runner/'], 'the cache keys and stores artifacts; it knows neither stages nor scheduling'],
  ['src/physics/', ['src/runner/', 'src/gan/', 'src/cache/', 'stages/', 'src/cli/'], 'physics is pure: numbers in, numbers out'],
  ['src/gan/', ['src/runner/', 'src/cache/', 'stages/', 'src/cli/'], 'the GAN is a library the train/generate/evaluate stages use'],
  ['src/metrics/', ['src/gan/', 'src/runner/', 'src/cache/', 'stages/', 'src/cli/'], 'metrics compare samples, whoever generated them'],
  ['src/io/', ['src/runner/', 'src/gan/', 'src/cache/', 'stages/', 'src/cli/'], 'readers and writers of event files only'],
  ['src/simulate/', ['src/runner/', 'src/gan/', 'src/cache/', 'stages/', 'src/cli/'], 'the reference generator to a file, for the simulate stage and command alike'],
  ['src/plot/', ['src/gan/', 'src/runner/', 'src/cache/', 'stages/', 'src/cli/'], 'figures are drawn from numbers, not from models or runs'],
  ['src/study-report/', ['src/gan/', 'src/runner/', 'src/cache/', 'stages/', 'src/cli/'], 'the HTML study report reads evaluation artifacts, nothing live'],
  ['stages/', ['src/runner/', 'src/cache/', 'src/cli/'], 'stages know nothing of scheduling, caching or the command line'],
  ['src/', ['stages/'], 'only the CLI (the composition root) knows the stage kinds'],
];

/** src/util is the floor: it imports nothing else of the project. */
const FLOOR = 'src/util/';

describe('module boundaries', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('stages')];
  const imports = new Map(files.map((f) => [f, localImports(f)]));

  for (const [from, never, why] of FORBIDDEN) {
    it(`${from} imports nothing from ${never.join(', ')} (${why})`, () => {
      const exempt = from === 'src/' ? (f: string) => f.startsWith('src/cli/') : () => false;
      const offenders = files
        .filter((f) => f.startsWith(from) && !exempt(f))
        .flatMap((f) => imports.get(f)!.filter((t) => never.some((n) => t.startsWith(n))).map((t) => `${f} → ${t}`));
      expect(offenders).toEqual([]);
    });
  }

  it('the CLI reaches stage kinds only through the registry (stages/index.ts)', () => {
    const offenders = files
      .filter((f) => f.startsWith('src/cli/'))
      .flatMap((f) => imports.get(f)!.filter((t) => t.startsWith('stages/') && t !== 'stages/index.ts').map((t) => `${f} → ${t}`));
    expect(offenders).toEqual([]);
  });

  it('src/util imports nothing else of the project', () => {
    const offenders = files
      .filter((f) => f.startsWith(FLOOR))
      .flatMap((f) => imports.get(f)!.filter((t) => !t.startsWith(FLOOR)).map((t) => `${f} → ${t}`));
    expect(offenders).toEqual([]);
  });

  it('no module under src/ or stages/ takes part in an import cycle', () => {
    expect(importCycles(files, imports)).toEqual([]);
  });

  it('only the CLI and reporter layer writes to the console', () => {
    const allowed = (f: string) => f.startsWith('src/cli/') || f.startsWith('src/reporters/');
    const offenders = files
      .filter((f) => !allowed(f))
      .filter((f) => /\bconsole\.(log|error|warn|info|debug)\s*\(/.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('reports a loop once, as the files in import order, and nothing for a tree', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['d.ts', 'c.ts', 'e.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['f.ts']],
      ['f.ts', ['b.ts']],
    ]);
    expect(importCycles([...graph.keys()], graph)).toEqual(['a.ts → b.ts → c.ts → a.ts']);
    expect(importCycles(['d.ts', 'b.ts'], new Map([['b.ts', ['d.ts']], ['d.ts', []]]))).toEqual([]);
  });
});

/**
 * Every strongly connected component of the import graph with more than one file (Tarjan's
 * algorithm), each shown as one loop through it starting at its first file in sorted order.
 */
function importCycles(files: readonly string[], imports: ReadonlyMap<string, readonly string[]>): string[] {
  const known = new Set(files);
  const edges = (f: string) => (imports.get(f) ?? []).filter((t) => known.has(t));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || edges(v).includes(v)) components.push(c);
    }
  };
  for (const f of [...files].sort()) if (!index.has(f)) visit(f);
  return components.map((c) => {
    const members = new Set(c);
    // The shortest loop through the component's first file (breadth-first within the component).
    const start = [...c].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let last: string | undefined;
    for (let i = 0; i < queue.length && last === undefined; i++) {
      for (const t of edges(queue[i]!).filter((x) => members.has(x))) {
        if (t === start) {
          last = queue[i]!;
          break;
        }
        if (!cameFrom.has(t)) {
          cameFrom.set(t, queue[i]!);
          queue.push(t);
        }
      }
    }
    const path = [start];
    for (let f = last!; f !== start; f = cameFrom.get(f)!) path.splice(1, 0, f);
    return [...path, start].join(' → ');
  });
}
