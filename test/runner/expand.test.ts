/** Loading and expansion: matrices, interpolation, needs, --set, seeds — on small pipelines drawn in the test. */
import { describe, expect, it } from 'vitest';
import type { StageKind } from '../../src/contract/stage.ts';
import { createHasher } from '../../src/cache/hash.ts';
import { expandPipeline, type Plan } from '../../src/runner/expand.ts';
import { loadPipeline } from '../../src/runner/load.ts';
import { selectStages } from '../../src/runner/select.ts';

const echo: StageKind = {
  kind: 'echo',
  description: 'test kind',
  schema: { type: 'object', properties: { n: { type: 'number' }, label: { type: 'string' }, init: { type: 'string' }, mode: { type: 'string', default: 'fast' } }, additionalProperties: false },
  moduleUrl: import.meta.url,
  references: (p: { init?: string }) => (p.init ? [p.init] : []),
  resources: (p: { n?: number }) => ({ gpus: p.n === 1 ? 1 : 0 }),
  async run() {
    return { outputs: {} };
  },
};

const hasher = await createHasher();
function plan(yaml: string, sets: string[] = []): Plan {
  const loaded = loadPipeline('/virtual/p.yaml', yaml);
  if (!loaded.ok) throw new Error(loaded.error.map((d) => d.message).join('\n'));
  const p = expandPipeline(loaded.value, [echo], { sets, h32: hasher.h32 });
  if (!p.ok) throw new Error(p.error.map((d) => d.message).join('\n'));
  return p.value;
}
function problems(yaml: string, sets: string[] = []): string[] {
  const loaded = loadPipeline('/virtual/p.yaml', yaml);
  if (!loaded.ok) return loaded.error.map((d) => d.message);
  const p = expandPipeline(loaded.value, [echo], { sets, h32: hasher.h32 });
  return p.ok ? [] : p.error.map((d) => d.message);
}

describe('matrix expansion', () => {
  it('expands the cartesian product with ids in matrix key order, and include/exclude adjust it', () => {
    const p = plan(`stages:
  t:
    uses: echo
    matrix:
      domain: [nu-argon, antinu-carbon]
      size: [10000, 100000]
      exclude: [{ domain: antinu-carbon, size: 100000 }]
      include: [{ domain: nu-carbon-alt, size: 5 }]
    with: { label: "\${{ matrix.domain }}/\${{ matrix.size }}", n: "\${{ matrix.size }}" }
`);
    expect(p.nodes.map((n) => n.id)).toEqual(['t@nu-argon-10000', 't@nu-argon-100000', 't@antinu-carbon-10000', 't@nu-carbon-alt-5']);
    expect(p.byId.get('t@nu-argon-100000')!.params).toEqual({ label: 'nu-argon/100000', n: 100000, mode: 'fast' });
  });

  it('a matrix axis can come from a pipeline param, and needs on a base id means all its instances', () => {
    const p = plan(`params: { energies: [0.5, 1] }
stages:
  gen:
    uses: echo
    matrix: { e: "\${{ params.energies }}" }
    with: { n: "\${{ matrix.e }}" }
  report:
    uses: echo
    needs: [gen]
`);
    expect(p.byId.get('report')!.needs).toEqual(['gen@0.5', 'gen@1']);
    expect(p.nodes.at(-1)!.id).toBe('report');
  });

  it('needs can be interpolated from matrix values', () => {
    const p = plan(`stages:
  data-a: { uses: echo }
  data-b: { uses: echo }
  tune:
    uses: echo
    matrix: { d: [a, b] }
    needs: ["data-\${{ matrix.d }}"]
`);
    expect(p.byId.get('tune@a')!.needs).toEqual(['data-a']);
    expect(p.byId.get('tune@b')!.needs).toEqual(['data-b']);
  });
});

describe('parameters and references', () => {
  it('a kind reference to another stage becomes a dependency, and one naming nothing is an error', () => {
    const p = plan(`stages:\n  base: { uses: echo }\n  tl: { uses: echo, with: { init: base } }\n`);
    expect(p.byId.get('tl')!.needs).toEqual(['base']);
    expect(problems(`stages:\n  base: { uses: echo }\n  tl: { uses: echo, with: { init: bsae } }\n`)).toEqual([
      "stage 'tl' refers to 'bsae' in its parameters, which is not a stage of this pipeline (did you mean 'base'?)",
    ]);
  });

  it('schema defaults are applied and resources come from the kind', () => {
    const p = plan(`stages:\n  g: { uses: echo, with: { n: 1 } }\n`);
    expect(p.byId.get('g')!.params).toEqual({ n: 1, mode: 'fast' });
    expect(p.byId.get('g')!.resources).toEqual({ cpus: 1, gpus: 1, wantsGpu: false, cpusWithGpu: 1 });
  });

  it('--set overrides a pipeline param or a stage key, typed as YAML', () => {
    const yaml = `params: { n: 1 }\nstages:\n  a: { uses: echo, with: { n: "\${{ params.n }}" } }\n  b: { uses: echo, with: { label: x } }\n`;
    const p = plan(yaml, ['n=7', 'b.label=y']);
    expect(p.byId.get('a')!.params.n).toBe(7);
    expect(p.byId.get('b')!.params.label).toBe('y');
    expect(problems(yaml, ['nn=2'])).toEqual(["--set nn: no pipeline parameter or stage named 'nn' (did you mean 'n'?); write params.<name>=v or <stage>.<key>=v"]);
  });

  it('seeds are deterministic per instance, differ between instances, follow params.seed, and with.seed wins', () => {
    const yaml = (seed: number) => `params: { seed: ${seed} }\nstages:\n  t: { uses: echo, matrix: { x: [1, 2] } }\n  s: { uses: echo, with: { seed: 42 } }\n`;
    const a = plan(yaml(0));
    const b = plan(yaml(0));
    const c = plan(yaml(1));
    expect(a.byId.get('t@1')!.seed).toBe(b.byId.get('t@1')!.seed);
    expect(a.byId.get('t@1')!.seed).not.toBe(a.byId.get('t@2')!.seed);
    expect(a.byId.get('t@1')!.seed).not.toBe(c.byId.get('t@1')!.seed);
    expect(a.byId.get('s')!.seed).toBe(42);
    expect(a.byId.get('s')!.params).not.toHaveProperty('seed');
  });

  it('an interpolation of a matrix value in a stage without a matrix names nothing', () => {
    expect(problems(`stages:\n  a: { uses: echo, with: { label: "\${{ matrix.x }}" } }\n`)).toEqual(["${{ matrix.x }} names nothing: stage 'a' has no matrix"]);
  });
});

describe('selection (--only, --force)', () => {
  const p = () =>
    plan(`stages:
  a: { uses: echo }
  b: { uses: echo, needs: [a] }
  c: { uses: echo, needs: [b] }
  d: { uses: echo }
`);
  it('--only takes the stage and what it needs, in plan order', () => {
    const s = selectStages(p(), ['b']);
    expect(s.ok && s.value.order).toEqual(['a', 'b']);
  });
  it('no --only takes every stage; --force marks stages to rerun', () => {
    const s = selectStages(p(), [], ['c']);
    expect(s.ok && [...s.value.order].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(s.ok && [...s.value.forced]).toEqual(['c']);
  });
  it('an unknown --only gets a did-you-mean', () => {
    const s = selectStages(p(), ['dd']);
    expect(!s.ok && s.error[0]!.message).toContain("--only dd: no stage 'dd'");
  });
});
