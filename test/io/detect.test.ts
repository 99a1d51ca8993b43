import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/io/detect.ts';
import { writeEventTable } from '../../src/io/event-table.ts';
import { hasNuwroSample, nuwroSample, tempDir } from './fixtures.ts';

describe('format detection', () => {
  it('recognises text formats from their content whatever the extension', async () => {
    const dir = tempDir();
    const cases: [string, string, string][] = [
      ['a.dat', 'HepMC::Version 3.02.06\nHepMC::Asciiv3-START_EVENT_LISTING\n', 'nuhepmc'],
      ['b.txt', '$ begin\n$ nuance 1\n', 'nuance'],
      ['c.kin', '# comment\nE_nu E_mu theta\n1 0.5 0.1\n', 'csv'],
      ['d.root', 'E_nu,E_mu,theta\n', 'csv'],
    ];
    for (const [name, content, format] of cases) {
      writeFileSync(path.join(dir, name), content);
      expect(await detectFormat(path.join(dir, name))).toBe(format);
    }
  });

  it('recognises Arrow tables by their magic bytes', async () => {
    const file = path.join(tempDir(), 'table.bin');
    const arrow = file.replace('.bin', '.arrow');
    await writeEventTable(arrow, { E_nu: Float64Array.of(1), E_mu: Float64Array.of(0.5), theta: Float64Array.of(0.1) }, { source: 't' });
    copyFileSync(arrow, file);
    expect(await detectFormat(file)).toBe('arrow');
  });

  it.skipIf(!hasNuwroSample)('recognises a ROOT file renamed to .csv (skipped when ../shared is absent)', async () => {
    const file = path.join(tempDir(), 'events.csv');
    copyFileSync(nuwroSample, file);
    expect(await detectFormat(file)).toBe('nuwro-root');
  });

  it('rejects an empty file and unknown binary content', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'empty'), '');
    writeFileSync(path.join(dir, 'bin'), Buffer.from([1, 2, 0, 3]));
    await expect(detectFormat(path.join(dir, 'empty'))).rejects.toThrow(/empty/);
    await expect(detectFormat(path.join(dir, 'bin'))).rejects.toThrow(/binary file of unknown format/);
  });
});
