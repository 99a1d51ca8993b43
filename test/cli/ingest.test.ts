import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readEventMeta, readEventTable } from '../../src/io/event-table.ts';
import { hasNuwroSample, listDir, nuwroSample, repoRoot, SKIP_SHARED, tempDir } from '../io/fixtures.ts';

/** Run the CLI in-process, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe.skipIf(!hasNuwroSample)(`nugan ingest on the NuWro sample (${hasNuwroSample ? 'reads ../shared' : SKIP_SHARED})`, () => {
  it('the real binary keeps exactly the 74 CC events and exits 0', async () => {
    const out = path.join(tempDir(), 'x.arrow');
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/nugan.mjs'), 'ingest', nuwroSample, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/read 100, kept 74, dropped 26 NC/);
    const t = await readEventTable(out);
    expect(t.events.E_nu.length).toBe(74);
    expect(t.events.E_nu[0]).toBeCloseTo(1.07878, 5);
    expect(t.events.E_mu[0]).toBeCloseTo(0.85807, 5);
    expect(Math.cos(t.events.theta[0]!)).toBeCloseTo(0.813, 4);
  });

  it('--json prints one document with read, kept and dropped counts', async () => {
    const out = path.join(tempDir(), 'y.arrow');
    const r = await cli('ingest', nuwroSample, '--out', out, '--format', 'nuwro-root', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 74, read: 100, kept: 74, dropped: { NC: 26 } });
  });

  it('warns about, counts and keeps the two events with E_nu below the proxy energy range (0.173 and 0.242 GeV)', async () => {
    const out = path.join(tempDir(), 'w.arrow');
    const r = await cli('ingest', nuwroSample, '--out', out, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    // The sample's E_nu spans 0.173–5.43 GeV; two events lie below 0.3 GeV (file order: 0.242, 0.173), none above 10.
    expect(doc.outside_energy_range).toBe(2);
    expect(r.stderr).toMatch(/warning: 2 events with E_nu outside the proxy energy range 0\.3–10 GeV \(kept/);
    const t = await readEventTable(out);
    expect(t.events.E_nu.length).toBe(74);
    expect(Array.from(t.events.E_nu).filter((e) => e < 0.3).map((e) => Number(e.toFixed(4)))).toEqual([0.2422, 0.1731]);
    expect((t.meta.ingest as { outside_energy_range: number }).outside_energy_range).toBe(2);
    // In the human summary too.
    const human = await cli('ingest', nuwroSample, '--out', path.join(tempDir(), 'h.arrow'));
    expect(human.stderr).toMatch(/wrote 74 events .*\(2 with E_nu outside 0\.3–10 GeV: kept\)/);
  });

  it('inspect --json reports count, columns, ranges and channel counts', async () => {
    const out = path.join(tempDir(), 'z.arrow');
    expect((await cli('ingest', nuwroSample, '--out', out)).code).toBe(0);
    const r = await cli('inspect', out, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.events).toBe(74);
    expect(doc.columns).toEqual(['E_nu', 'E_mu', 'theta', 'channel']);
    expect(doc.stats.E_nu.min).toBeCloseTo(0.173128, 5);
    expect(doc.stats.E_nu.max).toBeCloseTo(5.427998, 5);
    expect(doc.stats.E_nu.min).toBeLessThanOrEqual(doc.stats.E_nu.mean);
    expect(doc.channels).toEqual({ QE: 41, MEC: 7, RES: 23, DIS: 3, COH: 0 });
  });

  it('rejects a truncated ROOT file, exits non-zero and leaves no output', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'cut.root'), readFileSync(nuwroSample).subarray(0, 100_000));
    const r = await cli('ingest', path.join(dir, 'cut.root'), '--out', path.join(dir, 'o.arrow'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cut\.root: file is truncated/);
    expect(listDir(dir)).toEqual(['cut.root']);
  });
});

describe('nugan ingest on text files', () => {
  it('rejects each kind of malformed row with file and line, exits 1 and writes nothing', async () => {
    const dir = tempDir();
    const cases: [string, RegExp][] = [
      ['E_nu,E_mu,theta\n1,0.5,0.1\n1,0.5\n', /m0\.csv:3: expected 3 fields/],
      ['E_nu,E_mu,theta\n1,0.5,x\n', /m1\.csv:2 \[theta\]: field 'x' is not a number/],
      ['E_nu,E_mu,theta\n-1,0.5,0.1\n', /m2\.csv:2: negative neutrino energy/],
      ['E_nu,E_mu,theta\n1,1.5,0.1\n', /m3\.csv:2: muon energy E_mu = 1\.5 GeV exceeds/],
      ['E_nu[furlong],E_mu,theta\n1,0.5,0.1\n', /m4\.csv:1 \[E_nu\[furlong\]\]: unknown unit 'furlong'/],
    ];
    for (const [i, [content, re]] of cases.entries()) {
      writeFileSync(path.join(dir, `m${i}.csv`), content);
      const r = await cli('ingest', path.join(dir, `m${i}.csv`), '--out', path.join(dir, `o${i}.arrow`));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(re);
    }
    expect(listDir(dir).filter((n) => !n.endsWith('.csv'))).toEqual([]);
  });

  it('joins several files of different formats into one table, in order', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.txt'), 'E_nu E_mu theta\n1 0.5 0.1\n');
    writeFileSync(
      path.join(dir, 'b.dat'),
      '$ begin\n$ nuance 1\n$ vertex 0 0 0 0\n$ track 14 2000 0 0 1 -1\n$ track 13 1500 0 0 1 0\n$ end\n$ stop\n',
    );
    const out = path.join(dir, 'all.csv');
    const r = await cli('ingest', path.join(dir, 'a.txt'), path.join(dir, 'b.dat'), '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('E_nu[GeV],E_mu[GeV],theta[rad]\n1.0,0.5,0.1\n2.0,1.5,0.0\n');
    expect((await readEventMeta(out)).count).toBe(2);
  });

  it('rejects an unknown --format and a missing --out', async () => {
    expect((await cli('ingest', 'x.csv', '--out', 'y.arrow', '--format', 'gibberish')).stderr).toMatch(/--format expects auto/);
    expect((await cli('ingest', 'x.csv')).code).toBe(1);
  });
});

