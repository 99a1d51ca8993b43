/**
 * Event data layer throughput: ingest (NuWro ROOT, CSV, Arrow, NuHepMC) and proxy computation.
 * ROOT: the 100-entry shared NuWro sample read K times in one call (a K×-larger input made by
 * re-reading the sample, file opening included each time), as there is no larger real file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchLength, type EventBatch } from '../src/io/event-batch.ts';
import { readEventBatches, writeEventTable } from '../src/io/event-table.ts';
import { readNuWroRoot } from '../src/io/nuwro-root.ts';
import { readTextEvents } from '../src/io/text.ts';
import { M_MU } from '../src/physics/constants.ts';
import { eventsFromProxies, proxiesOf } from '../src/physics/kinematics.ts';
import { Rng } from '../src/util/rng.ts';

function line(label: string, n: number, seconds: number, unit = 'events'): void {
  process.stdout.write(`${label.padEnd(44)} ${String(n).padStart(9)} ${unit} ${seconds.toFixed(3).padStart(8)} s ${Math.round(n / seconds).toString().padStart(11)} ${unit}/s\n`);
}

function synthetic(n: number): EventBatch {
  const rng = new Rng(1);
  const b: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n), channel: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const E = 0.3 + 9.7 * rng.next();
    b.E_nu[i] = E;
    b.E_mu[i] = M_MU + (E - 0.0098 - M_MU) * rng.next();
    b.theta[i] = Math.PI * rng.next();
    b.channel![i] = i % 5;
  }
  return b;
}

async function drain(it: AsyncIterable<EventBatch>): Promise<number> {
  let n = 0;
  for await (const b of it) n += batchLength(b);
  return n;
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

export async function bench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nugan-bench-io-'));
  try {
    const sample = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/nuwro-real/nuwro-sample-ANL.root');
    if (existsSync(sample)) {
      const K = 100;
      const stats = { read: 0, kept: 0, dropped: {} };
      const [kept, s] = await time(() => drain(readNuWroRoot(new Array<string>(K).fill(sample), { stats })));
      line(`NuWro ROOT read (sample ×${K}), entries`, stats.read, s, 'entries');
      line(`NuWro ROOT read (sample ×${K}), kept CC events`, kept, s);
    } else {
      process.stdout.write(`NuWro ROOT: skipped (${sample} absent)\n`);
    }

    const N = 1_000_000;
    const ev = synthetic(N);
    const arrow = path.join(dir, 'e.arrow');
    const [, wa] = await time(() => writeEventTable(arrow, ev, { source: 'bench' }));
    line('Arrow write', N, wa);
    const [na, ra] = await time(() => drain(readEventBatches(arrow)));
    line('Arrow read (streamed, 64k batches)', na, ra);

    const M = 200_000;
    const small = synthetic(M);
    delete small.channel;
    const csv = path.join(dir, 'e.csv');
    const [, wc] = await time(() => writeEventTable(csv, small, { source: 'bench' }));
    line('CSV write', M, wc);
    const [nc, rc] = await time(() => drain(readTextEvents(csv)));
    line('CSV read (ingest text reader)', nc, rc);

    const H = 50_000;
    const hep = path.join(dir, 'e.hepmc3');
    const hepEv = synthetic(H);
    const [, wh] = await time(() => writeEventTable(hep, hepEv, { source: 'bench', domain: 'nu-carbon' }));
    line('NuHepMC write', H, wh);
    const [nh, rh] = await time(() => drain(readEventBatches(hep)));
    line('NuHepMC read', nh, rh);

    const out = { Ep_nu: new Float32Array(N), Ep_mu: new Float32Array(N), Ep_theta: new Float32Array(N) };
    proxiesOf(ev.E_nu, ev.E_mu, ev.theta, out); // warm-up
    const t0 = performance.now();
    proxiesOf(ev.E_nu, ev.E_mu, ev.theta, out);
    line('proxies (E_nu, E_mu, theta) → Float32', N, (performance.now() - t0) / 1000);
    const t1 = performance.now();
    eventsFromProxies(out.Ep_nu, out.Ep_mu, out.Ep_theta);
    line('inverse proxies → (E_nu, E_mu, theta)', N, (performance.now() - t1) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
