/**
 * Sampling a trained model into an event table (Arrow, CSV or NuHepMC by extension), in batches.
 * E_nu is fixed or uniform in [A, B] GeV: batch k draws its E_nu from stream (seed, k); the latent
 * vectors follow the event index (sampler.ts), so the same seed gives the same events whatever the
 * batch size, on one engine.
 */
import { checkRoomForTable, openEventWriter } from '../io/event-table.ts';
import { E_MAX, E_MIN } from '../physics/constants.ts';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import type { Device } from './engines/select.ts';
import { loadGenerator } from './sampler.ts';

export interface GenerateRequest {
  model: string;
  /** Fixed E_nu (GeV) or a uniform range [A, B] (GeV). */
  enu: number | [number, number];
  events: number;
  seed: number;
  out: string;
  device?: Device;
  threads?: number;
  gpuGranted?: boolean;
  /** Events per batch (memory bound; does not change the events). */
  batch?: number;
  signal?: AbortSignal;
  onBatch?: (done: number) => void;
}

export interface GenerateSummary {
  events: number;
  backend: string;
  seconds: number;
  events_per_s: number;
  /** Engine facts (engine, device, threads, kernels, why). */
  engine: Record<string, unknown>;
}

/** Events per batch by default: 1M (24 MB of columns). */
const DEFAULT_BATCH = 1 << 20;

/**
 * Refuses neutrino energies outside those the model was trained on (its `E_range`, GeV; the proxy
 * range 0.3–10 GeV for a model that does not record one): a GAN conditioned on E'_nu has seen no event
 * there and its output would be an extrapolation passed off as physics. The range is widened by 1 % of
 * its width on each side, so a model trained on E_nu uniform in [0.3, 10] (whose sample spans
 * 0.3001–9.9998) still generates at 0.3 and 10 GeV.
 */
export function checkEnergyInTrainedRange(enu: number | readonly [number, number], range: readonly [number, number] | undefined, model: string): void {
  const [lo, hi] = range ?? [E_MIN, E_MAX];
  const slack = 0.01 * Math.max(hi - lo, 0.01);
  const [a, b] = typeof enu === 'number' ? [enu, enu] : enu;
  if (a >= lo - slack && b <= hi + slack) return;
  const asked = typeof enu === 'number' ? `E_nu = ${enu} GeV` : `E_nu in [${a}, ${b}] GeV`;
  throw new InputError(`${asked} lies outside the E_nu range the model was trained on, ${lo.toFixed(3)}–${hi.toFixed(3)} GeV; a conditional GAN does not extrapolate: generate within that range`, model);
}

export async function generateToFile(req: GenerateRequest): Promise<GenerateSummary> {
  checkRoomForTable(req.out, req.events);
  const gen = await loadGenerator(req.model, { device: req.device ?? 'auto', ...(req.threads ? { threads: req.threads } : {}), ...(req.gpuGranted !== undefined ? { gpuGranted: req.gpuGranted } : {}) });
  try {
    const info = gen.model;
    checkEnergyInTrainedRange(req.enu, info.E_range, req.model);
    const batch = Math.max(1, Math.floor(req.batch ?? DEFAULT_BATCH));
    const writer = await openEventWriter(req.out, {
      source: `nugan generate (${req.model})`,
      ...(typeof info.domain === 'string' ? { domain: info.domain } : {}),
      seed: req.seed,
      model_epoch: info.epoch,
      backend: gen.backend,
      // What the NuHepMC writer needs to state a flux-averaged cross section: the model's σ(E_nu)
      // table (from its training data) and how E_nu was drawn — uniform whatever σ, i.e. the
      // 'conditional' mode of simulate.
      enu: typeof req.enu === 'number' ? req.enu : { uniform: req.enu },
      energy_mode: 'conditional',
      ...(info.cross_sections ? { cross_sections: info.cross_sections } : {}),
    });
    const t0 = performance.now();
    try {
      for (let off = 0; off < req.events; off += batch) {
        req.signal?.throwIfAborted();
        const n = Math.min(batch, req.events - off);
        const E_nu = new Float64Array(n);
        if (typeof req.enu === 'number') E_nu.fill(req.enu);
        else {
          const [a, b] = req.enu;
          // E_nu of event i from its own stream block, so the batch size cannot change it.
          for (let i = 0; i < n; i++) E_nu[i] = a + (b - a) * uniformOf(req.seed, off + i);
        }
        const { E_mu, theta } = await gen.sample(E_nu, req.seed, off);
        await writer.write({ E_nu, E_mu, theta });
        req.onBatch?.(off + n);
      }
      const { count } = await writer.close();
      const seconds = (performance.now() - t0) / 1000;
      return { events: count, backend: gen.backend, seconds, events_per_s: seconds > 0 ? count / seconds : 0, engine: gen.summary() };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    await gen.dispose();
  }
}

/** Events per E_nu stream block: event i takes draw i % BLOCK of stream (seed, 0x10000 + i / BLOCK). */
const E_BLOCK = 65536;
let cached: { seed: number; block: number; values: Float64Array } | undefined;

/** Uniform draw in [0, 1) for event `i` of a generation with `seed`. */
function uniformOf(seed: number, i: number): number {
  const block = Math.floor(i / E_BLOCK);
  if (!cached || cached.seed !== seed || cached.block !== block) {
    const r = new Rng(seed, 0x10000 + block);
    cached = { seed, block, values: Float64Array.from({ length: E_BLOCK }, () => r.next()) };
  }
  return cached.values[i % E_BLOCK]!;
}
