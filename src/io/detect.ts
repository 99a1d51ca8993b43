/**
 * Input format recognition from content (first bytes / first meaningful line), so a file's extension
 * never has to be right: NuWro writes `.root` files named anything, nuwro2nuance output is often
 * `.txt`, and HepMC3 files come as `.hepmc`, `.hepmc3`, `.dat`.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../util/errors.ts';

export const INGEST_FORMATS = ['nuwro-root', 'csv', 'nuance', 'nuhepmc', 'arrow'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

/** The format of `file` judged from its first 4 kB; the extension only breaks ties for text. */
export async function detectFormat(file: string): Promise<IngestFormat> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new InputError(`cannot open: ${(e as Error).message}`, file);
  }
  let head: Buffer;
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (head.length === 0) throw new InputError('file is empty', file);
  if (head.subarray(0, 4).toString('latin1') === 'root') return 'nuwro-root';
  if (head.subarray(0, 6).toString('latin1') === 'ARROW1') return 'arrow';
  if (head.includes(0)) throw new InputError('binary file of unknown format (not ROOT, not Arrow)', file);
  const text = head.toString('utf8');
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('HepMC::')) return 'nuhepmc';
    if (/^\$\s*(begin|nuance|track|vertex)\b/.test(line)) return 'nuance';
    if (line.startsWith('#')) continue;
    return 'csv';
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.kin') return 'nuance';
  if (ext === '.hepmc3' || ext === '.hepmc') return 'nuhepmc';
  return 'csv';
}
