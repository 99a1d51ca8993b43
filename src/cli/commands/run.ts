/**
 * `nugan run [PIPELINE]`: load, plan, and bring every stage up to date through the cache.
 * Human progress goes to stderr; `--json` prints exactly one document on stdout (DESIGN.md §6).
 */
import { availableParallelism } from 'node:os';
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { createExecutor } from '../../runner/executors/index.ts';
import type { RunEvent, RunListener } from '../../runner/events.ts';
import { pipelinePath, preparePipeline } from '../../runner/prepare.ts';
import { runPlan } from '../../runner/scheduler.ts';
import { selectStages } from '../../runner/select.ts';
import { renderDiagnostics } from '../../reporters/diagnostics.ts';
import { createPlainReporter, failureMessage } from '../../reporters/plain.ts';
import { parseCommandArgs, type ParsedArgs } from '../args.ts';

const help = `usage: nugan run [PIPELINE] [options]

Brings every stage of PIPELINE (default: pipelines/quickstart.yaml) up to date; cached stages are reused.

options:
  --set KEY=VALUE     override a pipeline param (seed=3, params.x=1) or a stage's with-key (train.epochs=5); repeatable
  --only ID           run only this stage (a matrix base id means all its instances) and what it needs; repeatable
  --force ID          rerun this stage even if cached; repeatable
  --dry-run           print the plan (what would run, what is cached) and run nothing
  --jobs N            stages run at once (default: number of CPUs)
  --gpus N            GPU tokens for stages that need a GPU (default: $NUGAN_GPUS or 1)
  --executor NAME     local (default) or slurm
  --store DIR         artifact store (default: artifacts/ in the pipeline's repository)
  --json              print one JSON document on stdout
  --verbose           also list cached stages
`;

function intOption(args: ParsedArgs, key: string, fallback: number): number {
  const raw = args.values[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 0) throw new InputError(`--${key} expects a non-negative integer, got '${String(raw)}'`);
  return n;
}

const list = (v: ParsedArgs['values'][string]): string[] => (v === undefined ? [] : [v].flat().map(String));

export default async function runCommand(argv: string[]): Promise<number> {
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
  });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (args.positionals.length > 1) throw new InputError(`nugan run takes one PIPELINE, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  const executorName = String(args.values.executor ?? 'local');
  if (executorName !== 'local' && executorName !== 'slurm') throw new InputError(`--executor expects local or slurm, got '${executorName}'`);
  let jobs = Math.max(1, intOption(args, 'jobs', availableParallelism()));
  const gpus = intOption(args, 'gpus', process.env.NUGAN_GPUS !== undefined && /^\d+$/.test(process.env.NUGAN_GPUS) ? Number(process.env.NUGAN_GPUS) : 1);
  const json = args.values.json === true;

  const file = pipelinePath(args.positionals[0]);
  if (!file.ok) {
    process.stderr.write(renderDiagnostics(file.error));
    return 1;
  }
  const prepared = await preparePipeline(file.value, stageKinds, { sets: list(args.values.set), store: args.values.store as string | undefined });
  if (!prepared.ok) {
    process.stderr.write(renderDiagnostics(prepared.error));
    return 1;
  }
  const { plan, keys, store, memo } = prepared.value;
  memo.save();
  const selection = selectStages(plan, list(args.values.only), list(args.values.force));
  if (!selection.ok) {
    process.stderr.write(renderDiagnostics(selection.error));
    return 1;
  }

  const dryRun = args.values['dry-run'] === true;
  const err = (t: string) => void process.stderr.write(t);
  let reporter: RunListener;
  let finishReporter = async () => {};
  if (!dryRun && !json && process.stderr.isTTY && !process.env.CI) {
    const { createListrReporter } = await import('../../reporters/listr.ts');
    const r = createListrReporter();
    reporter = r.listener;
    finishReporter = r.done;
  } else {
    reporter = createPlainReporter(err, { verbose: args.values.verbose === true });
  }
  let planEvent: Extract<RunEvent, { type: 'plan' }> | undefined;
  const onEvent: RunListener = (e) => {
    if (e.type === 'plan') planEvent = e;
    if (!dryRun) reporter(e);
  };

  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130); // a second Ctrl-C: leave now (temp dirs are never taken as artifacts)
    err(`\n${sig}: stopping running stages; nothing half-done is kept (Ctrl-C again to quit at once)\n`);
    abort.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const executor = await createExecutor(executorName, { kinds: stageKinds, storeDir: store.dir, pipelineFile: plan.pipeline.file, slots: jobs, slurm: plan.pipeline.slurm });
  // On a cluster the executor knows how many jobs it may queue; --jobs still caps it when given.
  if (executor.ownsSlots && args.values.jobs === undefined) jobs = Math.max(1, executor.slots);
  let outcome;
  try {
    outcome = await runPlan(plan, keys, selection.value, {
      store,
      executor,
      jobs,
      gpus,
      signal: abort.signal,
      onEvent,
      dryRun,
      shuffle: process.env.NUGAN_SHUFFLE === '1',
    });
  } finally {
    await executor.close();
    await finishReporter();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  if (dryRun) {
    const stages = planEvent?.stages ?? [];
    if (json) {
      process.stdout.write(`${JSON.stringify({ pipeline: plan.pipeline.file, dryRun: true, stages: stages.map((s) => ({ id: s.id, kind: s.kind, state: s.action === 'cached' ? 'cached' : 'would-run', key: s.key, needs: plan.byId.get(s.id)!.needs })) })}\n`);
    } else {
      const lines = stages.map((s) => `  ${s.action === 'cached' ? 'cached   ' : s.action === 'force' ? 'force    ' : 'would run'}  ${s.id}${plan.byId.get(s.id)!.needs.length ? `  ← ${plan.byId.get(s.id)!.needs.join(', ')}` : ''}`);
      process.stdout.write(`plan for ${plan.pipeline.file} (dry run, nothing is executed):\n${lines.join('\n')}\n${stages.filter((s) => s.action !== 'cached').length} would run, ${stages.filter((s) => s.action === 'cached').length} cached\n`);
    }
    return 0;
  }
  if (json) {
    const doc = {
      pipeline: plan.pipeline.file,
      store: store.dir,
      stages: outcome.reports.map((r) => ({
        id: r.id,
        kind: r.kind,
        state: r.state,
        key: r.key,
        seconds: Number(r.seconds.toFixed(3)),
        outputs: r.outputs,
        ...(r.failure ? { reason: r.failure.reason, message: failureMessage(r) } : {}),
        ...(r.logTail?.length ? { logTail: r.logTail } : {}),
      })),
      summary: outcome.summary,
    };
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  }
  if (!json && !outcome.summary.interrupted) {
    // What the run was for: the outputs of its final stages (those nothing else in the run needs).
    const needed = new Set(outcome.reports.flatMap((r) => plan.byId.get(r.id)!.needs));
    const finals = outcome.reports.filter((r) => !needed.has(r.id) && (r.state === 'ran' || r.state === 'cached'));
    const lines = finals.flatMap((r) => Object.entries(r.outputs).map(([name, path]) => `  ${r.id}.${name}: ${path}`));
    if (lines.length && lines.length <= 20) err(`outputs:\n${lines.join('\n')}\n`);
  }
  if (outcome.summary.interrupted) return 130;
  return outcome.summary.failed === 0 && outcome.summary.skipped === 0 ? 0 : 1;
}
