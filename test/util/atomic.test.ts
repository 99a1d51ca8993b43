/** Atomic writes: the file appears whole or not at all, and no temporary sibling is left behind. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAtomicWriteStream, writeFileAtomic, writeFileAtomicSync } from '../../src/util/atomic.ts';

describe('atomic file writes', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the content under the final name and leaves only that file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-atomic-'));
    await writeFileAtomic(join(dir, 'a.json'), '{"a":1}');
    writeFileAtomicSync(join(dir, 'b.json'), '{"b":2}');
    writeFileAtomicSync(join(dir, 'b.json'), '{"b":3}');
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.json']);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe('{"b":3}');
  });

  it('a failed write leaves neither the file nor a temporary sibling', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-atomic-'));
    // The target is an existing directory: the rename fails after the temporary file was written.
    await expect(writeFileAtomic(dir, 'x')).rejects.toThrow();
    expect(() => writeFileAtomicSync(dir, 'x')).toThrow();
    expect(readdirSync(join(dir, '..')).filter((n) => n.startsWith(`.${dir.split('/').at(-1)}`))).toEqual([]);
  });

  it('a streamed file appears only when committed, and not at all when discarded', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-atomic-'));
    const kept = createAtomicWriteStream(join(dir, 'kept.csv'));
    const dropped = createAtomicWriteStream(join(dir, 'dropped.csv'));
    await kept.write('a,b\n');
    await dropped.write('x\n');
    await kept.write('1,2\n');
    expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual([]);
    await kept.commit();
    await dropped.discard();
    expect(readdirSync(dir)).toEqual(['kept.csv']);
    expect(readFileSync(join(dir, 'kept.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });
});
