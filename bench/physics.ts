/**
 * Reference-generator throughput (issue 4): events/s on one core and on all cores for each domain,
 * at fixed E_nu = 1 GeV and over 0.3–10 GeV (conditional mode), plus table setup time and a few
 * micro-benchmarks. The generator is nugan's analytic stand-in for NuWro, not NuWro.
 */
import { availableParallelism } from 'node:os';
import { buildChannelTables, channelTables } from '../src/physics/channels.ts';
import { d2sigmaDIS_dWdQ2 } from '../src/physics/dis.ts';
import { DOMAINS, resolveKnobs } from '../src/physics/domains.ts';
import { simulate } from '../src/physics/generator.ts';
import { dsigmaQE_dQ2 } from '../src/physics/qe.ts';

function line(s: string): void {
  process.stdout.write(`${s}\n`);
}

function micro(): void {
  const n = 1_000_000;
  let acc = 0;
  let t = performance.now();
  for (let i = 0; i < n; i++) acc += dsigmaQE_dQ2(1, 0.05 + (i % 1000) * 1e-3, 1, 1.03, 'bbba05');
  line(`micro  LS dσ/dQ²           ${(((performance.now() - t) * 1e6) / n).toFixed(0)} ns/call`);
  t = performance.now();
  for (let i = 0; i < n; i++) acc += d2sigmaDIS_dWdQ2(5, 1.7 + (i % 1000) * 1e-3, 0.5 + (i % 7) * 0.3, true, true);
  line(`micro  DIS d²σ/dWdQ² (grid) ${(((performance.now() - t) * 1e6) / n).toFixed(0)} ns/call${acc < 0 ? '!' : ''}`);
}

export async function bench(): Promise<void> {
  const cores = availableParallelism();
  micro();
  const t0 = performance.now();
  buildChannelTables(resolveKnobs('nu-carbon'));
  line(`setup  nu-carbon tables (48 energies × 6 channels × 2·10⁴ trials, uncached) ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  // worker start-up (tsx loader per worker) is paid once per run: shown apart, included in the rates
  const ts = performance.now();
  await simulate({ knobs: resolveKnobs('nu-carbon'), enu: 1, mode: 'conditional', seed: 1 }, cores, { threads: cores, blockSize: 1, collect: false });
  const startup = (performance.now() - ts) / 1000;
  line(`setup  worker start-up for ${cores} threads ${startup.toFixed(2)} s (included below; amortised by 3× more events per core)`);
  line(`domain          energy       threads  events    seconds  events/s  events/s/core  overflow`);
  const perCore = 200_000;
  for (const domain of DOMAINS) {
    const knobs = resolveKnobs(domain);
    const tables = await channelTables(knobs);
    for (const enu of [1, [0.3, 10]] as const) {
      for (const threads of [1, cores]) {
        const events = threads > 1 ? 3 * perCore * threads : perCore;
        const r = await simulate({ knobs, enu: enu as number | [number, number], mode: 'conditional', seed: 1 }, events, { tables, threads, collect: false });
        const rate = events / r.seconds;
        const over = r.overflow.reduce((a, b) => a + b, 0);
        line(
          `${domain.padEnd(15)} ${(typeof enu === 'number' ? `${enu} GeV` : '0.3-10 GeV').padEnd(12)} ${String(r.threads).padStart(7)}  ${String(events).padStart(7)}  ${r.seconds.toFixed(2).padStart(7)}  ${rate.toFixed(0).padStart(8)}  ${(rate / r.threads).toFixed(0).padStart(13)}  ${over}`,
        );
        if (cores === 1) break;
      }
    }
  }
}
