/**
 * The documentation stands alone: what users read (README, --help texts, schemas, pipelines) and what
 * the code cites points into this repository, and every `docs/<page>.md §n` citation names a section
 * that exists. LICENSE and CITATION.cff agree with package.json.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  const abs = join(root, dir);
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs).flatMap((n) => files(relative(root, join(abs, n))));
}

/** What a user of the repository sees. */
const userFacing = ['README.md', 'src', 'stages', 'schemas', 'pipelines'].flatMap(files);

describe('documentation', () => {
  it('nothing users or the code read points outside the repository (../shared, DESIGN.md, physics.md, issue notes)', () => {
    const outside = /\.\.\/shared|shared\/(?:physics|DESIGN|STYLE)|DESIGN\.md|(?<![\w-])physics\.md|issue notes?/;
    const offenders = userFacing.filter((f) => outside.test(readFileSync(join(root, f), 'utf8'))).map((f) => `${f}: ${outside.exec(readFileSync(join(root, f), 'utf8'))![0]}`);
    expect(offenders).toEqual([]);
  });

  it('every docs/<page>.md §n citation in the code, tests and README names a section of that page', () => {
    const sections = new Map<string, Set<string>>();
    for (const page of readdirSync(join(root, 'docs'))) {
      const heads = [...readFileSync(join(root, 'docs', page), 'utf8').matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!);
      sections.set(page, new Set(heads));
    }
    const cited: string[] = [];
    const missing: string[] = [];
    for (const f of [...userFacing, ...files('test')]) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/docs\/([\w-]+\.md)(?: §(\d+(?:\.\d+)?)(?:–§(\d+(?:\.\d+)?))?)?/g)) {
        const page = m[1]!;
        if (!sections.has(page)) missing.push(`${f}: docs/${page} does not exist`);
        for (const sec of [m[2], m[3]]) {
          if (sec === undefined) continue;
          cited.push(`${page} §${sec}`);
          if (!sections.get(page)?.has(sec)) missing.push(`${f}: docs/${page} has no §${sec}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The physics modules cite the reference generator's sections throughout.
    expect(new Set(cited.filter((c) => c.startsWith('reference-generator.md'))).size).toBeGreaterThan(15);
  });

  it('the README links only to files that exist', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((l) => !existsSync(join(root, l)))).toEqual([]);
  });

  it('LICENSE is the MIT licence that package.json names, and CITATION.cff cites both papers', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string; version: string };
    expect(pkg.license).toBe('MIT');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the nugan authors\n/);
    const cff = parse(readFileSync(join(root, 'CITATION.cff'), 'utf8')) as { 'cff-version': string; license: string; version: string; references: { journal: string; volume: number; start: string; identifiers?: { value: string }[] }[] };
    expect(cff['cff-version']).toBe('1.2.0');
    expect([cff.license, cff.version]).toEqual([pkg.license, pkg.version]);
    expect(cff.references.map((r) => `${r.journal} ${r.volume} ${r.start} ${r.identifiers?.map((i) => i.value).join(' ')}`)).toEqual([
      'Physical Review D 112 013007 arXiv:2502.20244',
      'Physical Review D 113 053001 arXiv:2508.12987',
    ]);
  });
});
