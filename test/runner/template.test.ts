/** The one `${{ }}` reader: what expansion and execution both parse. */
import { describe, expect, it } from 'vitest';
import { resolveOutputRefs } from '../../src/runner/execute.ts';
import { joinTemplate, parseExpr, parseTemplate } from '../../src/runner/template.ts';

describe('templates', () => {
  it('splits a string into literal text and placeholders, keeping each placeholder as written', () => {
    expect(parseTemplate('data-${{ matrix.d }}/${{params.n}}')).toEqual([
      'data-',
      { source: '${{ matrix.d }}', text: 'matrix.d', expr: { type: 'lookup', scope: 'matrix', path: ['d'] } },
      '/',
      { source: '${{params.n}}', text: 'params.n', expr: { type: 'lookup', scope: 'params', path: ['n'] } },
    ]);
    expect(parseTemplate('plain')).toEqual(['plain']);
  });

  it('reads an upstream output reference, instance ids included', () => {
    expect(parseExpr('stages.tune@nu-argon-10.outputs.model')).toEqual({ type: 'output', stage: 'tune@nu-argon-10', output: 'model' });
    expect(parseExpr('stages.a.outputs.a.txt')).toEqual({ type: 'output', stage: 'a', output: 'a.txt' });
  });

  it('a lone placeholder keeps its value type; otherwise the pieces join as text with JSON for non-strings', () => {
    expect(joinTemplate([[1, 2]])).toEqual([1, 2]);
    expect(joinTemplate(['n=', 3, ' ', { a: 1 }])).toBe('n=3 {"a":1}');
  });

  it('execution fills in output paths and leaves everything else as written', () => {
    const inputs = { 'b@x': { id: 'b@x', kind: 'command', key: 'k', dir: '/s/k', outputs: { result: '/s/k/r.txt' }, summary: {} } };
    expect(resolveOutputRefs({ run: ['cat', '${{ stages.b.outputs.result }}', '${{ params.x }}'] }, inputs)).toEqual({ run: ['cat', '/s/k/r.txt', '${{ params.x }}'] });
    expect(() => resolveOutputRefs('${{ stages.b.outputs.nope }}', inputs)).toThrow("stage 'b@x' has no output 'nope' (it has: result)");
  });
});
