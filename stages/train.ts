/**
 * Stage kind `train`: the conditional GAN (src/gan) — pretraining, fine-tuning and from-scratch
 * baselines share this one code path.
 *
 *     base:     { uses: train, needs: [data], with: { data: data, epochs: 50 } }
 *     tune:     { uses: train, needs: [base, small], with: { data: small, init: base, freeze: { generator: 2, discriminator: 2 } } }
 *     scratch:  { uses: train, needs: [small], with: { data: small } }
 *
 * `data` names the upstream stage whose `train` (else `events`) output is the training table; `val`
 * a stage whose `val` (else `events`) output is the validation table — by default the data stage's
 * `val` output, else a held-out 10 % of the training table. `init` names a train stage whose model
 * (architecture included) is the starting point. Outputs: `model` (directory: model.json +
 * weights.bin = generator, discriminator/, nugan-model.json) and `history` (history.json).
 *
 * Resuming: checkpoints go to the instance's scratch directory (`StageContext.scratchDir`, one per cache
 * key, kept by the runner across failures and interruptions), so a rerun continues from the last
 * checkpoint; the runner removes it once the stage's result is stored.
 *
 * `device` and `threads` choose where it runs, not what it computes: they are not in the cache key.
 */
import path from 'node:path';
import { InputError, type StageKind, type UpstreamArtifact } from '../src/contract/stage.ts';
import { DEFAULT_ARCHITECTURE, generatorBytes, type Architecture } from '../src/gan/architecture.ts';
import { ENGINE_EXECUTION_PARAMS, engineResources, type Device } from '../src/gan/engines/select.ts';
import type { FreezeSpec, LrSchedule, SelectMetric } from '../src/gan/train.ts';
import { writeFileAtomic } from '../src/util/atomic.ts';
import { availableThreads } from '../src/util/cpus.ts';

export interface TrainParams {
  data: string;
  val?: string;
  init?: string;
  freeze?: { generator?: FreezeSpec; discriminator?: FreezeSpec };
  architecture?: Partial<Architecture>;
  epochs: number;
  batch: number;
  lr_g: number;
  lr_d: number;
  betas: [number, number];
  device: Device;
  checkpoint_every: number;
  validate_every: number;
  select: SelectMetric;
  /** Cap on training events (a seeded random subset). */
  events?: number;
  /** Cap on validation events (validation time grows with it). */
  val_events: number;
  lr_schedule: LrSchedule;
  lr_floor: number;
  /** Half-life of the generator's weight average, in training events; 0: no average. */
  ema_halflife: number;
  ema_rampup: number;
  /** Stages whose event tables are scored at every validation (e.g. fixed-E_nu references). */
  monitor?: string[];
  /** Cap on events per monitor sample. */
  monitor_events: number;
  /** CPU threads (default: what the scheduler grants, up to the cores this process may use). */
  threads?: number;
}

const freezeSpec = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'string', pattern: '^(block[0-9]+|out)$' } }] };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  properties: {
    data: { type: 'string', description: "stage whose 'train' (else 'events') output is the training table" },
    val: { type: 'string', description: "stage whose 'val' (else 'events') output is the validation table" },
    init: { type: 'string', description: 'train stage whose model is the starting point (fine-tuning)' },
    freeze: { type: 'object', additionalProperties: false, properties: { generator: freezeSpec, discriminator: freezeSpec }, description: 'first k blocks, or block names (block0…, out), kept fixed' },
    architecture: {
      type: 'object',
      additionalProperties: false,
      properties: {
        blocks: { type: 'integer', minimum: 0, maximum: 16 },
        width: { type: 'integer', minimum: 1, maximum: 1024 },
        latent: { type: 'integer', minimum: 1, maximum: 256 },
        dropout: { type: 'number', minimum: 0, maximum: 0.9 },
        noise: { type: 'number', minimum: 0 },
        normalisation: { enum: ['layer', 'none'] },
        leak: { type: 'number', minimum: 0, maximum: 1 },
        skip: { type: 'boolean' },
        d_width: { type: 'integer', minimum: 1, maximum: 1024 },
        d_blocks: { type: 'integer', minimum: 0, maximum: 16 },
      },
    },
    epochs: { type: 'integer', minimum: 1, default: 20 },
    batch: { type: 'integer', minimum: 1, default: 512 },
    lr_g: { type: 'number', exclusiveMinimum: 0, default: 1e-4, description: "the generator's Adam learning rate (half the discriminator's by default: docs/gan.md §6)" },
    lr_d: { type: 'number', exclusiveMinimum: 0, default: 2e-4, description: "the discriminator's Adam learning rate" },
    betas: { type: 'array', items: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, minItems: 2, maxItems: 2, default: [0.5, 0.999] },
    device: { enum: ['auto', 'gpu', 'cpu'], default: 'auto', description: 'auto: a hardware GPU when one is granted, else the CPU; gpu: require one; cpu: never touch the GPU' },
    threads: { type: 'integer', minimum: 1, maximum: 1024, description: 'CPU threads (default: all the cores this process may use, as the scheduler grants them)' },
    checkpoint_every: { type: 'integer', minimum: 1, default: 5 },
    validate_every: { type: 'integer', minimum: 1, default: 1 },
    select: { enum: ['map', 'emd', 'last'], default: 'map' },
    events: { type: 'integer', minimum: 1 },
    val_events: { type: 'integer', minimum: 100, default: 20000 },
    lr_schedule: { enum: ['constant', 'cosine'], default: 'cosine', description: 'learning rate over the epochs: constant, or a cosine down to lr_floor of it' },
    lr_floor: { type: 'number', minimum: 0, maximum: 1, default: 0.05, description: 'final learning rate as a fraction of the initial one (cosine)' },
    ema_halflife: { type: 'number', minimum: 0, default: 1000000, description: "half-life (training events) of the average of the generator's weights that is validated and saved; 0: none" },
    ema_rampup: { type: 'number', minimum: 0, maximum: 1, default: 0.05, description: 'the half-life is at most this fraction of the events seen so far' },
    monitor: { type: 'array', items: { type: 'string' }, description: "stages whose 'events' (or 'test') tables are scored at every validation, e.g. fixed-E_nu references; select then uses their mean" },
    monitor_events: { type: 'integer', minimum: 1000, default: 100000, description: 'cap on events per monitor sample' },
  },
};

function tableOf(up: UpstreamArtifact | undefined, id: string, names: string[], role: string): string {
  if (!up) throw new InputError(`train: ${role} stage '${id}' is not among this stage's needs`);
  for (const n of names) if (up.outputs[n]) return up.outputs[n]!;
  throw new InputError(`train: stage '${id}' has no output ${names.map((n) => `'${n}'`).join(' or ')} (outputs: ${Object.keys(up.outputs).join(', ') || 'none'})`);
}

/**
 * Freezing more blocks than a network has, checked when the pipeline is planned wherever the
 * architecture is known there (given, or the default without `init`; with `init` it is the init
 * model's, checked when the stage runs).
 */
function freezeProblems(p: TrainParams): { path: (string | number)[]; message: string }[] {
  if (p.init && !p.architecture?.blocks && !p.architecture?.d_blocks) return [];
  const a = { ...DEFAULT_ARCHITECTURE, ...p.architecture };
  const blocks = { generator: a.blocks, discriminator: a.d_blocks ?? a.blocks };
  const problems = [];
  for (const net of ['generator', 'discriminator'] as const) {
    const f = p.freeze?.[net];
    if (typeof f === 'number' && f > blocks[net]) problems.push({ path: ['freeze', net], message: `${f} blocks, but the ${net} has ${blocks[net]} (freeze 0…${blocks[net]}, or name blocks: block0…, out)` });
    if (Array.isArray(f)) {
      f.forEach((name, i) => {
        const b = /^block(\d+)$/.exec(name);
        if (b && Number(b[1]) >= blocks[net]) problems.push({ path: ['freeze', net, i], message: `no block '${name}' in a ${net} of ${blocks[net]} blocks (block0…block${blocks[net] - 1}, out)` });
      });
    }
  }
  return problems;
}

export const trainStage: StageKind<TrainParams> = {
  kind: 'train',
  description: 'train a conditional GAN: pretraining, fine-tuning with frozen blocks (init/freeze) or a from-scratch baseline',
  schema,
  moduleUrl: import.meta.url,
  resources: (p) => engineResources(p, availableThreads()),
  executionParams: ENGINE_EXECUTION_PARAMS,
  check: freezeProblems,
  references(p) {
    return [p.data, p.val, p.init, ...(p.monitor ?? [])].filter((x): x is string => typeof x === 'string');
  },
  async run(ctx) {
    // The GAN libraries load only when a training runs, not whenever the CLI plans a pipeline.
    const [{ holdOut, loadProxies }, { loadModel, proxyInfo, saveModel }, { trainGan }, { chooseEngine, engineSummary }, { createEngine }] = await Promise.all([
      import('../src/gan/data.ts'),
      import('../src/gan/model.ts'),
      import('../src/gan/train.ts'),
      import('../src/gan/engines/select.ts'),
      import('../src/gan/engines/index.ts'),
    ]);
    const p = ctx.params;
    const seed = ctx.seed;
    const choice = await chooseEngine(p.device, p.device !== 'auto' || ctx.gpus.length > 0);
    const threads = p.threads ?? ctx.cpus;

    const trainFile = tableOf(ctx.inputs[p.data], p.data, ['train', 'events'], 'data');
    const loaded = await loadProxies(trainFile, p.events, seed);
    if (loaded.data.n === 0) throw new InputError('no training events inside the proxy domain', trainFile);
    let train = loaded.data;
    let val;
    let valSource: string;
    const valId = p.val ?? (ctx.inputs[p.data]?.outputs.val ? p.data : undefined);
    if (valId) {
      const valFile = tableOf(ctx.inputs[valId], valId, ['val', 'events'], 'val');
      val = (await loadProxies(valFile, p.val_events, seed + 1)).data;
      valSource = valFile;
    } else {
      const split = holdOut(train, 0.1, seed);
      train = split.train;
      val = split.val.n > p.val_events ? holdOut(split.val, p.val_events / split.val.n, seed).val : split.val;
      valSource = 'held-out 10% of the training table';
    }
    if (val.n === 0) throw new InputError('no validation events inside the proxy domain');

    let architecture: Architecture = { ...DEFAULT_ARCHITECTURE, ...p.architecture };
    let init;
    let initDomain: unknown;
    if (p.init) {
      const up = ctx.inputs[p.init];
      if (!up) throw new InputError(`train: init stage '${p.init}' is not among this stage's needs`);
      const m = await loadModel(up.outputs.model ?? up.dir);
      initDomain = m.info.domain ?? null;
      if (p.architecture) {
        for (const [k, v] of Object.entries(p.architecture)) {
          const theirs = (m.info.architecture as unknown as Record<string, unknown>)[k];
          if (theirs !== v) throw new InputError(`train: architecture.${k} = ${JSON.stringify(v)} differs from the init model's (${JSON.stringify(theirs)}); fine-tuning keeps the architecture`);
        }
      }
      architecture = m.info.architecture;
      init = m.weights;
    }
    const blocks = { generator: architecture.blocks, discriminator: architecture.d_blocks ?? architecture.blocks };
    for (const net of ['generator', 'discriminator'] as const) {
      const f = p.freeze?.[net];
      if (typeof f === 'number' && f > blocks[net]) throw new InputError(`train: freeze.${net} = ${f}, but the ${net} has ${blocks[net]} blocks (freeze 0…${blocks[net]}, or name blocks: block0…, out)`);
    }

    const monitors = [];
    for (const id of p.monitor ?? []) {
      const file = tableOf(ctx.inputs[id], id, ['events', 'test'], 'monitor');
      const m = await loadProxies(file, p.monitor_events, seed + 2);
      if (m.data.n === 0) throw new InputError(`monitor '${id}': no events inside the proxy domain`, file);
      const [lo, hi] = m.E_range;
      monitors.push({ label: hi - lo < 1e-9 * Math.max(1, hi) ? `E_nu = ${Number(hi.toPrecision(4))} GeV` : id, data: m.data });
    }

    const resumeDir = ctx.scratchDir;
    // Progress counts training events, updated every few seconds within an epoch, so the rate and
    // the ETA keep moving even when an epoch takes minutes.
    let epochEvents = 0;
    let stepEvents = 0;
    /** Events of the current epoch already reported. */
    let advanced = 0;
    let engineInfo: Record<string, unknown> = {};
    const result = await trainGan(train, val, {
      architecture,
      epochs: p.epochs,
      batch: p.batch,
      lr_g: p.lr_g,
      lr_d: p.lr_d,
      betas: p.betas,
      checkpoint_every: p.checkpoint_every,
      validate_every: p.validate_every,
      select: p.select,
      seed,
      lr_schedule: p.lr_schedule,
      lr_floor: p.lr_floor,
      ...(p.ema_halflife > 0 ? { ema: { halflife: p.ema_halflife, rampup: p.ema_rampup } } : {}),
      ...(monitors.length ? { monitors } : {}),
      ...(init ? { init } : {}),
      ...(p.freeze ? { freeze: p.freeze } : {}),
      resumeDir,
      signal: ctx.signal,
      log: (line) => ctx.log(line),
      async engine(arch, training) {
        const engine = await createEngine({ engine: choice.engine, architecture: arch, training, threads });
        engineInfo = engineSummary(engine.info, choice);
        ctx.log(`engine ${engine.info.engine}: ${engine.info.device} (${choice.reason})`);
        return engine;
      },
      onStart(start) {
        epochEvents = start.stepsPerEpoch * start.batch;
        stepEvents = start.batch;
        ctx.progress.total(p.epochs * epochEvents, 'events');
        if (start.epoch > 1) ctx.progress.advance((start.epoch - 1) * epochEvents);
        advanced = 0;
      },
      onSteps(epoch, done, total) {
        ctx.progress.message(`epoch ${epoch}/${p.epochs}: step ${done}/${total}`);
        ctx.progress.advance(done * stepEvents - advanced);
        advanced = done * stepEvents;
      },
      onEpoch(r) {
        // The message first: reporters print a progress line when the count advances.
        const v = r.val_map !== undefined ? `, val MAP ${r.val_map.toFixed(3)}, EMD ${r.val_emd!.toExponential(2)}` : '';
        ctx.progress.message(`epoch ${r.epoch}/${p.epochs} done: loss D ${r.loss_d.toFixed(3)} G ${r.loss_g.toFixed(3)}${v}`);
        ctx.progress.advance(epochEvents - advanced);
        advanced = 0;
        ctx.log(`epoch ${r.epoch}: ${JSON.stringify(r)}`);
      },
    });
    if (result.resumed_from !== undefined) ctx.log(`resumed from the checkpoint of epoch ${result.resumed_from}`);

    const backend = `${result.engine.engine}: ${result.engine.device}`;
    await saveModel(path.join(ctx.outDir, 'model'), result.weights, {
      format: 'nugan-model',
      version: 1,
      architecture,
      proxy: proxyInfo(),
      E_range: loaded.E_range,
      backend,
      engine: engineInfo,
      seed,
      epoch: result.chosen_epoch,
      select: p.select,
      ...(loaded.domain ? { domain: loaded.domain } : {}),
      // σ(E_nu) of the training data travels with the model, so that generated NuHepMC files can be
      // normalised (docs/formats.md): the GAN reproduces the shape, the table the rate.
      ...(loaded.cross_sections ? { cross_sections: loaded.cross_sections } : {}),
      ...(p.init ? { init: p.init, init_domain: initDomain } : {}),
      ...(p.freeze ? { freeze: p.freeze } : {}),
      train_events: train.n,
    });
    const history = { chosen_epoch: result.chosen_epoch, select: p.select, initial: result.initial, epochs: result.history };
    await writeFileAtomic(path.join(ctx.outDir, 'history.json'), JSON.stringify(history, null, 1) + '\n');

    const chosen = result.history.find((r) => r.epoch === result.chosen_epoch);
    return {
      outputs: { model: 'model', history: 'history.json' },
      summary: {
        backend,
        ...engineInfo,
        train_events: train.n,
        val_events: val.n,
        val_source: valSource,
        events_read: loaded.read,
        outside_domain: loaded.outside_domain,
        chosen_epoch: result.chosen_epoch,
        select: p.select,
        val_map: chosen?.val_map ?? null,
        val_emd: chosen?.val_emd ?? null,
        initial_val_map: result.initial.map,
        train_seconds: Number(result.train_seconds.toFixed(3)),
        events_per_s: Math.round(result.events_per_s),
        ...(result.resumed_from !== undefined ? { resumed_from: result.resumed_from } : {}),
        generator_bytes: generatorBytes(architecture),
      },
    };
  },
};
