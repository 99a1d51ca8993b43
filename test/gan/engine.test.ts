import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/physics/rng.ts';
import { Mlp, adamStep, type NetSpec } from '../../src/gan/engine.ts';

const spec = (over: Partial<NetSpec> = {}): NetSpec => ({ inputDim: 3, blocks: 3, width: 8, outDim: 2, outAct: 'tanh', normalisation: 'layer', leak: 0.2, dropout: 0, noise: 0, skip: true, ...over });

function randomBatch(n: number, d: number, seed: number): { x: Float32Array; c: Float32Array } {
  const r = new Rng(seed);
  return { x: Float32Array.from({ length: n * d }, () => 2 * r.next() - 1), c: Float32Array.from({ length: n }, () => 2 * r.next() - 1) };
}

/** Loss = Σ w_i out_i with fixed random weights w, so dL/dout = w. */
function lossOf(net: Mlp, x: Float32Array, c: Float32Array, n: number, w: Float32Array): number {
  const out = net.forward(x, c, n, false);
  let s = 0;
  for (let i = 0; i < n * net.spec.outDim; i++) s += Number(out[i]) * Number(w[i]);
  return s;
}

describe('Mlp backward', () => {
  for (const variant of [{}, { normalisation: 'none' as const }, { outAct: 'linear' as const, outDim: 1 }, { skip: false }]) {
    it(`matches finite differences of the forward pass (${JSON.stringify(variant)})`, () => {
      const net = new Mlp(spec(variant), 't', new Rng(3));
      // Move gamma/beta off their initial values so their gradients are exercised.
      for (const p of net.params) if (!p.name.endsWith('kernel')) for (let i = 0; i < p.value.length; i++) p.value[i]! += 0.3 * Math.sin(i + 1);
      const n = 5;
      const { x, c } = randomBatch(n, 3, 9);
      const w = Float32Array.from({ length: n * net.spec.outDim }, (_, i) => Math.cos(i));
      net.forward(x, c, n, true, new Rng(1));
      net.zeroGrads();
      const dx = net.backward(w, n, true, true).slice(0, n * 3);
      const h = 1e-3;
      let worst = 0;
      const check = (arr: Float32Array, i: number, analytic: number) => {
        const keep = arr[i]!;
        arr[i] = keep + h;
        const up = lossOf(net, x, c, n, w);
        arr[i] = keep - h;
        const down = lossOf(net, x, c, n, w);
        arr[i] = keep;
        const numeric = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(5e-2, Math.abs(numeric) + Math.abs(analytic)));
      };
      for (const p of net.params) for (let i = 0; i < p.value.length; i += 7) check(p.value, i, p.grad[i]!);
      for (let i = 0; i < n * 3; i++) check(x, i, dx[i]!);
      expect(worst).toBeLessThan(2e-2);
    });
  }
});

describe('adamStep', () => {
  it('moves weights against the gradient by about lr on the first step and skips frozen ones', () => {
    const net = new Mlp(spec(), 't', new Rng(1));
    net.freeze(['block0']);
    const before = net.params.map((p) => p.value.slice());
    for (const p of net.params) p.grad.fill(1);
    adamStep(net.params, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 }, 1);
    net.params.forEach((p, k) => {
      const d = p.value[0]! - before[k]![0]!;
      if (p.block === 'block0') expect(p.value).toEqual(before[k]);
      else expect(d).toBeCloseTo(-0.01, 5);
    });
  });
});
