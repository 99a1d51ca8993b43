import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { contextAfter, joinShell, shellEscape } from '../../src/runner/shell-quote.ts';

/** What `sh -c` prints for `script` (printf of each argument on its own line). */
const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });

const nasty = ["x; touch F", "it's", 'say "hi"', '$(id) `id` $HOME', 'back\\slash', 'tab\tand\nnewline', '', "'", '"', "*.root"];

describe('shell quoting of interpolated values', () => {
  it('reads the quoting context from the literal text: plain, inside single and inside double quotes', () => {
    expect(contextAfter('echo ', 'plain')).toBe('plain');
    expect(contextAfter("echo '", 'plain')).toBe('single');
    expect(contextAfter('echo "a \\" b', 'plain')).toBe('double');
    expect(contextAfter("echo \\' ", 'plain')).toBe('plain');
    expect(contextAfter('"it\'s" ', 'plain')).toBe('plain');
  });

  it('gives back every value unchanged, as one word, in each of the three contexts', () => {
    for (const v of nasty) {
      const script = joinShell([{ literal: "printf '%s|' " }, { value: v }, { literal: ' "<' }, { value: v }, { literal: '>" \'[' }, { value: v }, { literal: "]'" }]);
      expect(sh(script), script).toBe(`${v}|<${v}>|[${v}]|`);
    }
  });

  it('leaves the context as it found it, so the text after a value reads as written', () => {
    for (const v of nasty) for (const ctx of ['plain', 'single', 'double'] as const) expect(contextAfter(shellEscape(v, ctx), ctx)).toBe(ctx);
  });

  it('writes values that are not strings as JSON, then quotes them', () => {
    expect(sh(joinShell([{ literal: 'printf %s ' }, { value: { a: [1, 'b c'] } }]))).toBe('{"a":[1,"b c"]}');
  });
});
