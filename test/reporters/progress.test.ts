import { describe, expect, it } from 'vitest';
import { formatSeconds } from '../../src/reporters/progress.ts';

describe('formatSeconds', () => {
  it('writes durations the way a person reads them, carrying rounding into the next unit', () => {
    expect(formatSeconds(0.04)).toBe('0.0 s');
    expect(formatSeconds(2.54)).toBe('2.5 s');
    expect(formatSeconds(9.96)).toBe('10 s');
    expect(formatSeconds(59.6)).toBe('1 min 0 s');
    expect(formatSeconds(119.6)).toBe('2 min 0 s');
    expect(formatSeconds(977)).toBe('16 min 17 s');
    expect(formatSeconds(3600 + 125)).toBe('1 h 2 min');
  });
});
