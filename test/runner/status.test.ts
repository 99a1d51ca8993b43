/** `status` explanations: KeyData diffs down to parameter paths. */
import { describe, expect, it } from 'vitest';
import { diffValues, explainKeyChange, keyChanges } from '../../src/runner/status.ts';
import type { KeyData } from '../../src/cache/key-data.ts';
import { drawSquiggle, position } from '../../src/reporters/diagnostics.ts';

const base: KeyData = { schema: 1, kind: 'train', code: 'xxh64:1', params: { epochs: 200, freeze: { generator: 2 } }, seed: 7, upstream: { data: 'k1' }, files: { 'p.txt': 'xxh64:a' } };

describe('explaining a stale stage', () => {
  it('names each changed parameter by path with old and new values', () => {
    expect(diffValues('with', { epochs: 200, freeze: { generator: 2 } }, { epochs: 300, freeze: { generator: 3 }, lr: 1 })).toEqual([
      'with.epochs: 200 → 300',
      'with.freeze.generator: 2 → 3',
      'with.lr: (unset) → 1',
    ]);
  });

  it('names changed code, seed, upstream stages and files', () => {
    const now: KeyData = { ...base, code: 'xxh64:2', seed: 8, upstream: { data: 'k2', extra: 'k3' }, files: { 'p.txt': 'missing' } };
    expect(explainKeyChange(base, now)).toEqual([
      "code of stage kind 'train' changed",
      'seed: 7 → 8',
      "upstream stage 'data' changed",
      "new upstream stage 'extra'",
      'input file p.txt is missing',
    ]);
  });
});

describe('causes as data', () => {
  it('gives each cause as a record (parameter path with old and new, upstream id, file, code, seed) that status --json prints', () => {
    const now: KeyData = { ...base, code: 'xxh64:2', seed: 8, params: { epochs: 300, freeze: { generator: 2 }, lr: 1 }, upstream: { data: 'k2' }, files: {} };
    expect(keyChanges(base, now)).toEqual([
      { type: 'code', kind: 'train' },
      { type: 'param', path: 'with.epochs', old: 200, new: 300 },
      { type: 'param', path: 'with.lr', new: 1 },
      { type: 'seed', old: 7, new: 8 },
      { type: 'upstream', id: 'data', change: 'changed' },
      { type: 'file', file: 'p.txt', change: 'removed' },
    ]);
  });
});

describe('diagnostic rendering', () => {
  it('draws the squiggle under the range, keeping tabs so it lines up', () => {
    expect(drawSquiggle('    needs: [dta]', 12, 15)).toBe('            ^~~');
    expect(drawSquiggle('\tx: 1', 1, 2)).toBe('\t^');
  });
  it('maps offsets to 1-based line and column', () => {
    expect(position('a\nbc\nd', 3)).toMatchObject({ line: 2, col: 2 });
  });
});
