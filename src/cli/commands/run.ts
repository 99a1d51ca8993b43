/**
 * `nugan run [PIPELINE]`: load, plan, and bring every stage up to date through the cache.
 * Human progress goes to stderr; `--json` prints exactly one document on stdout (README.md, "Command line").
 */
import { availableParallelism } from 'node:os';
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { createExecutor } from '../../runner/executors/index.ts';
import type { RunEvent, RunListener, StageReport } from '../../runner/events.ts';
import type { Plan, StageId } from '../../runner/expand.ts';
import type { KeyedStage } from '../../cache/key-data.ts';
import type { ArtifactStore } from '../../cache/store.ts';
import type { Selection } from '../../runner/select.ts';
import { pipelinePath, preparePipeline } from '../../runner/prepare.ts';
import { runPlan, type RunOutcome } from '../../runner/scheduler.ts';
import { selectStages } from '../../runner/select.ts';
import { createPlainReporter, failureMessage } from '../../reporters/plain.ts';
import { parseCommandArgs, type ParsedArgs } from '../args.ts';
import { failWithDiagnostics } from '../problems.ts';
import { createRemoteLink, type RemoteLink } from '../../cache/remote/link.ts';
import { openRemote, REMOTE_HELP, REMOTE_OPTIONS, remoteSettings } from '../remote-options.ts';
import { abortOnInterrupt } from '../interrupt.ts';

const help = `usage: nugan run [PIPELINE] [options]

Brings every stage of PIPELINE (default: pipelines/quickstart.yaml) up to date; cached stages are reused.

options:
  --set KEY=VALUE     override a pipeline param (seed=3, params.x=1) or a stage's with-key (train.epochs=5); repeatable
  --only ID           run only this stage (a matrix base id means all its instances) and what it needs; repeatable
  --force ID          rerun this stage even if cached; repeatable
  --dry-run           print the plan (what would run, what is cached) and run nothing
  --jobs N            stages run at once (default: number of CPUs)
  --gpus N            GPU tokens for stages that use a GPU (default: $NUGAN_GPUS, else the
                      machine's hardware GPUs, counted when a stage that would use one runs)
  --executor NAME     local (default) or slurm
  --store DIR         artifact store (default: artifacts/ in the pipeline's repository)
${REMOTE_HELP}  --json              print one JSON document on stdout
  --verbose           also list cached stages
`;

/**
 * The GPUs a local run may hand to stages: the hardware adapters Dawn finds (a software renderer is
 * not a GPU, unless NUGAN_ALLOW_SOFTWARE_GPU=1 for tests); several NVIDIA GPUs when nvidia-smi lists them.
 */
async function countGpus(): Promise<number> {
  const { probeGpu } = await import('../../gan/engines/select.ts');
  const gpu = await probeGpu();
  if (!gpu.found || (gpu.adapter.software && process.env.NUGAN_ALLOW_SOFTWARE_GPU !== '1')) return 0;
  try {
    const { execFileSync } = await import('node:child_process');
    const listed = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).split('\n').filter((l) => l.startsWith('GPU ')).length;
    return Math.max(1, listed);
  } catch {
    return 1;
  }
}

function intOption(args: ParsedArgs, key: string, fallback: number): number {
  const raw = args.values[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 0) throw new InputError(`--${key} expects a non-negative integer, got '${String(raw)}'`);
  return n;
}

const list = (v: ParsedArgs['values'][string]): string[] => (v === undefined ? [] : [v].flat().map(String));

interface RunOptions {
  readonly pipeline: string | undefined;
  readonly sets: string[];
  readonly only: string[];
  readonly force: string[];
  readonly dryRun: boolean;
  /** `--jobs`, when given (the executor may size its own queue otherwise). */
  readonly jobs: number | undefined;
  /** `--gpus` or $NUGAN_GPUS; undefined: count the machine's GPUs when needed. */
  readonly gpus: number | undefined;
  readonly executor: 'local' | 'slurm';
  readonly store: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly args: ParsedArgs;
}

/**
 * Parse → prepare (load, expand, key, select) → run with a reporter and Ctrl-C handling → print what
 * the run was for. Exit code 0 only when every stage ran or was cached.
 */
export default async function runCommand(argv: string[]): Promise<number> {
  const opts = parseRunOptions(argv);
  if (opts === 'help') {
    process.stdout.write(help);
    return 0;
  }
  const file = pipelinePath(opts.pipeline);
  if (!file.ok) return failWithDiagnostics(file.error, opts.json);
  const prepared = await preparePipeline(file.value, stageKinds, { sets: opts.sets, store: opts.store });
  if (!prepared.ok) return failWithDiagnostics(prepared.error, opts.json);
  const { plan, keys, store, memo } = prepared.value;
  const readOnly = store.readOnlyReason();
  memo.save();
  const selection = selectStages(plan, opts.only, opts.force);
  if (!selection.ok) return failWithDiagnostics(selection.error, opts.json);
  if (readOnly && !opts.dryRun) refuseWritesToReadOnlyStore(plan, keys, selection.value, store, readOnly);

  const settings = remoteSettings(opts.args, plan.pipeline.remote, plan.pipeline.file);
  const remoteOnly = opts.args.values['remote-only'] === true;
  if (remoteOnly && !settings) throw new InputError('--remote-only needs a remote cache: give --remote URL, set NUGAN_REMOTE, or add remote: to the pipeline');
  const reporter = await chooseReporter(opts);
  const warnNow = (message: string) => (opts.dryRun ? err(`warning: ${message}\n`) : reporter.listener({ type: 'warning', message }));
  const remote: RemoteLink | undefined = settings ? createRemoteLink(openRemote(settings), store, { push: settings.push, only: remoteOnly, warn: warnNow }) : undefined;
  let planEvent: Extract<RunEvent, { type: 'plan' }> | undefined;
  const onEvent: RunListener = (e) => {
    if (e.type === 'plan') planEvent = e;
    if (!opts.dryRun) reporter.listener(e);
  };
  // The first Ctrl-C (or SIGTERM) aborts the run cleanly; a second one leaves at once.
  const interrupt = abortOnInterrupt((sig) => err(`\n${sig}: stopping running stages; nothing half-done is kept (Ctrl-C again to quit at once)\n`));
  const executor = await createExecutor(opts.executor, { kinds: stageKinds, storeDir: store.dir, pipelineFile: plan.pipeline.file, slots: opts.jobs ?? defaultJobs(), slurm: plan.pipeline.slurm });
  // On a cluster the executor knows how many jobs it may queue; --jobs still caps it when given.
  const jobs = opts.jobs ?? (executor.ownsSlots ? Math.max(1, executor.slots) : defaultJobs());
  let outcome;
  try {
    outcome = await runPlan(plan, keys, selection.value, { store, executor, jobs, gpus: opts.gpus ?? countGpus, signal: interrupt.signal, onEvent, dryRun: opts.dryRun, readOnly: readOnly !== undefined, shuffle: process.env.NUGAN_SHUFFLE === '1', remote });
  } finally {
    await executor.close();
    remote?.close();
    await reporter.done();
    interrupt.dispose();
  }

  if (opts.dryRun) {
    printDryRun(plan, planEvent?.stages ?? [], opts.json);
    return 0;
  }
  if (opts.json) printRunJson(plan, store.dir, outcome);
  else if (!outcome.summary.interrupted) printFinalOutputs(plan, outcome.reports);
  if (outcome.summary.interrupted) return 130;
  return outcome.summary.failed === 0 && outcome.summary.skipped === 0 ? 0 : 1;
}

const err = (t: string) => void process.stderr.write(t);

/**
 * On a store that cannot be written, a run may only read: every selected stage must have its artifact
 * (not forced, cacheable). Otherwise it stops here, before anything starts, saying which stages would
 * have to run.
 */
function refuseWritesToReadOnlyStore(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, selection: Selection, store: ArtifactStore, why: string): void {
  const toRun = selection.order.filter((id) => {
    if (selection.forced.has(id) || !plan.byId.get(id)!.cacheable) return true;
    const m = store.readManifest(keys.get(id)!.key);
    return m === undefined || m instanceof Error;
  });
  if (toRun.length === 0) return;
  const shown = toRun.length > 5 ? `${toRun.slice(0, 5).join(', ')} and ${toRun.length - 5} more` : toRun.join(', ');
  throw new InputError(`store ${store.dir} is read-only (${why}): ${toRun.length} stage${toRun.length === 1 ? '' : 's'} would have to run (${shown}) and write there; give --store DIR on a writable filesystem (a fully cached run works on a read-only store)`);
}

function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

function parseRunOptions(argv: string[]): RunOptions | 'help' {
  const args = parseCommandArgs('run', argv, {
    set: { type: 'string', multiple: true },
    only: { type: 'string', multiple: true },
    force: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    jobs: { type: 'string', short: 'j' },
    gpus: { type: 'string' },
    executor: { type: 'string' },
    store: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    ...REMOTE_OPTIONS,
  });
  if (args.values.help) return 'help';
  if (args.positionals.length > 1) throw new InputError(`nugan run takes one PIPELINE, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  const executor = String(args.values.executor ?? 'local');
  if (executor !== 'local' && executor !== 'slurm') throw new InputError(`--executor expects local or slurm, got '${executor}'`);
  const jobs = args.values.jobs === undefined ? undefined : Math.max(1, intOption(args, 'jobs', 1));
  const envGpus = process.env.NUGAN_GPUS !== undefined && /^\d+$/.test(process.env.NUGAN_GPUS) ? Number(process.env.NUGAN_GPUS) : undefined;
  return {
    pipeline: args.positionals[0],
    sets: list(args.values.set),
    only: list(args.values.only),
    force: list(args.values.force),
    dryRun: args.values['dry-run'] === true,
    jobs,
    gpus: args.values.gpus === undefined ? envGpus : intOption(args, 'gpus', 0),
    executor,
    store: args.values.store as string | undefined,
    json: args.values.json === true,
    verbose: args.values.verbose === true,
    args,
  };
}

/** listr2 on a terminal; plain lines otherwise (CI, pipes, --json, --dry-run). */
async function chooseReporter(opts: RunOptions): Promise<{ listener: RunListener; done: () => Promise<void> }> {
  if (!opts.dryRun && !opts.json && process.stderr.isTTY && !process.env.CI) {
    const { createListrReporter } = await import('../../reporters/listr.ts');
    return createListrReporter();
  }
  return { listener: createPlainReporter(err, { verbose: opts.verbose }), done: async () => {} };
}

function printDryRun(plan: Plan, stages: Extract<RunEvent, { type: 'plan' }>['stages'], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ pipeline: plan.pipeline.file, dryRun: true, stages: stages.map((s) => ({ id: s.id, kind: s.kind, state: s.action === 'cached' ? 'cached' : s.action === 'pull' ? 'would-pull' : 'would-run', key: s.key, needs: plan.byId.get(s.id)!.needs })) })}\n`);
    return;
  }
  const lines = stages.map((s) => `  ${s.action === 'cached' ? 'cached    ' : s.action === 'force' ? 'force     ' : s.action === 'pull' ? 'would pull' : 'would run '}  ${s.id}${plan.byId.get(s.id)!.needs.length ? `  ← ${plan.byId.get(s.id)!.needs.join(', ')}` : ''}`);
  process.stdout.write(`plan for ${plan.pipeline.file} (dry run, nothing is executed):\n${lines.join('\n')}\n${stages.filter((s) => s.action === 'run' || s.action === 'force').length} would run, ${stages.filter((s) => s.action === 'pull').length ? `${stages.filter((s) => s.action === 'pull').length} would be pulled from the remote cache, ` : ''}${stages.filter((s) => s.action === 'cached').length} cached\n`);
}

/** The one JSON document of `run --json` (README.md, "Command line"). */
function printRunJson(plan: Plan, storeDir: string, outcome: RunOutcome): void {
  const doc = {
    pipeline: plan.pipeline.file,
    store: storeDir,
    stages: outcome.reports.map((r) => ({
      id: r.id,
      kind: r.kind,
      state: r.state,
      key: r.key,
      seconds: Number(r.seconds.toFixed(3)),
      outputs: r.outputs,
      ...(r.origin ? { from: r.origin } : {}),
      ...(r.failure ? { reason: r.failure.reason, message: failureMessage(r) } : {}),
      ...(r.logTail?.length ? { logTail: r.logTail } : {}),
    })),
    summary: outcome.summary,
  };
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

/** What the run was for: the outputs of its final stages (those nothing else in the run needs). */
function printFinalOutputs(plan: Plan, reports: readonly StageReport[]): void {
  const needed = new Set(reports.flatMap((r) => plan.byId.get(r.id)!.needs));
  const finals = reports.filter((r) => !needed.has(r.id) && (r.state === 'ran' || r.state === 'cached'));
  const lines = finals.flatMap((r) => Object.entries(r.outputs).map(([name, path]) => `  ${r.id}.${name}: ${path}`));
  if (lines.length && lines.length <= 20) err(`outputs:\n${lines.join('\n')}\n`);
}
