/**
 * The reference engine: its backward pass against finite differences of its forward pass (the one
 * independent check of the math every engine is compared with), then the shared suite on itself.
 */
import { describe, expect, it } from 'vitest';
import { ganLayouts, initialWeights, type NetLayout } from '../../../src/gan/architecture.ts';
import { Pass } from '../../../src/gan/draws.ts';
import { ReferenceEngine } from '../../../src/gan/engines/reference/engine.ts';
import { ReferenceNet } from '../../../src/gan/engines/reference/net.ts';
import { Rng } from '../../../src/util/rng.ts';
import { engineSuite, SUITE_ARCHITECTURE } from './engine-suite.ts';

/** Loss = Σ w_i · out_i with fixed weights w, so dLoss/dout = w. */
function lossOf(net: ReferenceNet, x: Float32Array, c: Float32Array, n: number, w: Float32Array, draws: Parameters<ReferenceNet['forward']>[3]): number {
  const out = net.forward(x, c, n, draws);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i]! * w[i]!;
  return s;
}

describe('the reference network', () => {
  const variants: [string, (l: { G: NetLayout; D: NetLayout }) => NetLayout][] = [
    ['generator (tanh output, layer norm, skips, dropout)', (l) => l.G],
    ['discriminator (linear output)', (l) => l.D],
  ];
  for (const [label, pick] of variants) {
    for (const arch of [SUITE_ARCHITECTURE, { ...SUITE_ARCHITECTURE, normalisation: 'none' as const, skip: false, noise: 0 }]) {
      it(`back-propagates what finite differences of its forward pass give: ${label}, ${arch.normalisation} norm, skip ${arch.skip}`, () => {
        const layout = pick(ganLayouts(arch));
        const weights = initialWeights(arch, 3)[layout.prefix === 'g' ? 'G' : 'D'].slice();
        // Move gamma/beta and biases off their initial values so their gradients are exercised.
        for (const p of layout.params) if (p.role !== 'kernel') for (let i = 0; i < p.size; i++) weights[p.offset + i]! += 0.3 * Math.sin(i + 1);
        const net = new ReferenceNet(layout, weights);
        const n = 5;
        const r = new Rng(9);
        const x = Float32Array.from({ length: n * layout.spec.inputDim }, () => 2 * r.next() - 1);
        const c = Float32Array.from({ length: n }, () => 2 * r.next() - 1);
        const w = Float32Array.from({ length: n * layout.spec.outDim }, (_, i) => Math.cos(i));
        // A fixed pass key: dropout masks and noise are the same in every forward pass below.
        const draws = { k0: 1, k1: 1, step: 0, pass: Pass.GForD };
        net.forward(x, c, n, draws);
        net.grads.fill(0);
        const dx = net.backward(w, true, true);
        // Central differences at three step sizes, keeping the best: a leaky-ReLU kink within ±h
        // spoils the larger ones, float32 rounding of the stored activations the smallest.
        let worst = 0;
        const check = (arr: Float32Array, i: number, analytic: number) => {
          const keep = arr[i]!;
          let best = Infinity;
          for (const h of [1e-3, 2e-4, 4e-5]) {
            arr[i] = keep + h;
            const up = lossOf(net, x, c, n, w, draws);
            arr[i] = keep - h;
            const down = lossOf(net, x, c, n, w, draws);
            arr[i] = keep;
            const numeric = (up - down) / (2 * h);
            best = Math.min(best, Math.abs(numeric - analytic) / Math.max(5e-2, Math.abs(numeric) + Math.abs(analytic)));
          }
          worst = Math.max(worst, best);
        };
        for (let i = 0; i < weights.length; i += 5) check(weights, i, net.grads[i]!);
        for (let i = 0; i < x.length; i++) check(x, i, dx[i]!);
        expect(worst).toBeLessThan(2e-2);
      });
    }
  }
});

engineSuite('reference', async (a, t) => new ReferenceEngine(a, t));
