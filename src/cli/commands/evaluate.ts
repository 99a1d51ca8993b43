/**
 * `nugan evaluate --model DIR --data FILE [--data FILE]… [--events N] [--seed S] [--out DIR] [--json]`:
 * the evaluate stage's work outside a pipeline. Each data file is one evaluation point (a fixed-E_nu
 * table, or a spread of E_nu); the model generates as many events as the file holds, at its E_nu values.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../util/errors.ts';
import { readEventTable } from '../../io/event-table.ts';
import { evaluateModel, metricsJson, writeEvaluation, type ReferenceSample } from '../../metrics/evaluation.ts';
import { loadGenerator } from '../../gan/sampler.ts';
import { ENGINE_OPTIONS, engineOptions, numberOption, parseCommandArgs } from '../args.ts';

const help = `usage: nugan evaluate --model DIR --data FILE [--data FILE]… [--events N] [--seed S] [--out DIR] [--json]

Compares a trained model with reference events (docs/formats.md §5): for each --data table (.arrow, .csv),
generates as many events at the table's E_nu values and reports MAP (bins with both counts > 0, and
both > 5) on the 50×50 (E'_mu, theta') histogram, the EMD of E'_mu and theta', and W, Q², E_mu,
theta, p_z comparisons.

  --model DIR   trained model directory (a train stage's model output)
  --data FILE   reference events; repeat for several energies
  --events N    use at most N events per file
  --seed S      generation seed (default 1)
  --device D    auto (default): a hardware GPU when there is one, else the CPU; gpu | cpu
  --threads N   CPU threads (default: all the cores this process may use)
  --out DIR     also write metrics.json, metrics.csv and histograms.json there
  --json        print one JSON document (the content of metrics.json)
`;

export default async function evaluateCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('evaluate', argv, {
    model: { type: 'string' },
    data: { type: 'string', multiple: true },
    events: { type: 'string' },
    seed: { type: 'string' },
    ...ENGINE_OPTIONS,
    out: { type: 'string' },
    json: { type: 'boolean' },
  }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const modelDir = args.values.model;
  const data = (args.values.data as string[] | undefined) ?? [];
  if (typeof modelDir !== 'string') throw new InputError('--model DIR is required (nugan evaluate --model DIR --data FILE)');
  if (data.length === 0) throw new InputError('--data FILE is required (reference events; repeat for several energies)');
  const events = numberOption(args, 'events', 'events');
  if (events !== undefined && !(Number.isInteger(events) && events > 0)) throw new InputError(`--events expects a positive integer, got ${events}`);
  const seed = numberOption(args, 'seed', 'integer') ?? 1;
  const engine = engineOptions(args);

  const refs: ReferenceSample[] = [];
  for (const file of data) refs.push({ source: file, file: path.resolve(file), events: (await readEventTable(file)).events });
  const generator = await loadGenerator(path.resolve(modelDir), engine);
  let result;
  try {
    const total = refs.reduce((s, r) => s + Math.min(r.events.E_nu.length, events ?? Infinity), 0);
    let done = 0;
    result = await evaluateModel(generator, refs, {
      seed,
      ...(events !== undefined ? { maxEvents: events } : {}),
      onProgress: (n) => {
        done += n;
        if (process.stderr.isTTY) process.stderr.write(`\rgenerating: ${done}/${total} events`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
  } finally {
    await generator.dispose();
  }
  if (typeof args.values.out === 'string') {
    await mkdir(args.values.out, { recursive: true });
    await writeEvaluation(args.values.out, result, { model: path.resolve(modelDir) });
  }
  if (args.values.json) {
    process.stdout.write(JSON.stringify(metricsJson(result, { model: path.resolve(modelDir) })) + '\n');
    return 0;
  }
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const lines = [`model ${modelDir} (backend ${result.backend}), seed ${seed}`, 'point                          events   MAP(>0)  MAP(>5)  EMD E\'mu  EMD th\'   EMD mean'];
  for (const p of result.points) {
    const c = p.comparison;
    lines.push(`${p.label.padEnd(30)} ${String(p.reference.events).padStart(7)}  ${f(c.map.nonzero.map).padStart(7)}  ${f(c.map.gt5.map).padStart(7)}  ${c.emd.E_mu_proxy.toExponential(2).padStart(8)}  ${c.emd.theta_proxy.toExponential(2).padStart(8)}  ${c.emd.mean.toExponential(2).padStart(8)}`);
  }
  lines.push(`A statistically perfect model gives MAP ≈ 0.80 and EMD ≈ 0 (for 1M vs 1M events).`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
