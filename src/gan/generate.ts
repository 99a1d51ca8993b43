/**
 * Sampling a trained model into an event table (Arrow, CSV or NuHepMC by extension), in batches.
 * E_nu is fixed or uniform in [A, B] GeV; batch k draws its E_nu from stream (seed, k) and its latent
 * vectors through the sampler's own fixed chunking, so the same seed gives the same events on one backend.
 */
import { openEventWriter } from '../io/event-table.ts';
import { Rng } from '../physics/rng.ts';
import type { Device } from './backend.ts';
import { readModelInfo } from './model.ts';
import { CHUNK, loadGenerator } from './sampler.ts';

export interface GenerateRequest {
  model: string;
  /** Fixed E_nu (GeV) or a uniform range [A, B] (GeV). */
  enu: number | [number, number];
  events: number;
  seed: number;
  out: string;
  device?: Device;
  /** Events per batch (a multiple of the sampler's chunk keeps batching invisible in the output). */
  batch?: number;
  signal?: AbortSignal;
  onBatch?: (done: number) => void;
}

export interface GenerateSummary {
  events: number;
  backend: string;
  seconds: number;
  events_per_s: number;
}

export async function generateToFile(req: GenerateRequest): Promise<GenerateSummary> {
  const info = await readModelInfo(req.model);
  const gen = await loadGenerator(req.model, { device: req.device ?? 'auto' });
  const batch = Math.max(1, Math.round((req.batch ?? 16 * CHUNK) / CHUNK)) * CHUNK;
  const writer = await openEventWriter(req.out, {
    source: `nugan generate (${req.model})`,
    ...(typeof info.domain === 'string' ? { domain: info.domain } : {}),
    seed: req.seed,
    model_epoch: info.epoch,
    backend: gen.backend,
  });
  const t0 = performance.now();
  try {
    for (let off = 0, k = 0; off < req.events; off += batch, k++) {
      if (req.signal?.aborted) throw req.signal.reason ?? new Error('aborted');
      const n = Math.min(batch, req.events - off);
      const E_nu = new Float64Array(n);
      if (typeof req.enu === 'number') E_nu.fill(req.enu);
      else {
        const r = new Rng(req.seed, 0x10000 + k);
        const [a, b] = req.enu;
        for (let i = 0; i < n; i++) E_nu[i] = a + (b - a) * r.next();
      }
      // Batch k samples with its own seed: a fixed batch size keeps the output independent of timing.
      const { E_mu, theta } = await gen.sample(E_nu, mixSeed(req.seed, k));
      await writer.write({ E_nu, E_mu, theta });
      req.onBatch?.(off + n);
    }
    const { count } = await writer.close();
    const seconds = (performance.now() - t0) / 1000;
    return { events: count, backend: gen.backend, seconds, events_per_s: seconds > 0 ? count / seconds : 0 };
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    gen.dispose();
  }
}

/** A per-batch seed derived from (seed, batch index). */
function mixSeed(seed: number, k: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  return h >>> 0;
}
