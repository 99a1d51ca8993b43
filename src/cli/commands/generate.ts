/**
 * `nugan generate --model DIR (--enu E | --enu-range A:B) --events N [--seed S] [--device D] --out FILE`:
 * samples a trained model into an event table (.arrow, .csv or .hepmc3).
 */
import { InputError } from '../../util/errors.ts';
import { generateToFile } from '../../gan/generate.ts';
import { ENGINE_OPTIONS, engineOptions, numberOption, parseCommandArgs, rangeOption } from '../args.ts';
import { interruptible } from '../interrupt.ts';

const help = `usage: nugan generate --model DIR (--enu E | --enu-range A:B) --events N [options] --out FILE

Samples events (E_nu, E_mu, theta) from a trained model directory (a train stage's 'model' output).

  --model DIR          model directory (model.json, weights.bin, nugan-model.json)
  --enu E              fixed neutrino energy (GeV)
  --enu-range A:B      neutrino energy uniform in [A, B] (GeV)
  --events N           number of events
  --seed S             seed (default 1); same seed, same events on one engine
  --device D           auto (default): a hardware GPU when there is one, else the CPU (never a
                       software renderer such as llvmpipe); gpu: require a GPU; cpu: never the GPU
  --threads N          CPU threads (default: all the cores this process may use)
  --json               print the summary as one JSON document
  --out FILE           output table: .arrow, .csv or .hepmc3 (NuHepMC 1.0.0; the model carries no
                       cross section, so the file has none); formats: docs/formats.md
`;

export default async function generate(argv: string[]): Promise<number> {
  const args = parseCommandArgs('generate', argv, {
    model: { type: 'string' },
    enu: { type: 'string' },
    'enu-range': { type: 'string' },
    events: { type: 'string' },
    seed: { type: 'string' },
    ...ENGINE_OPTIONS,
    json: { type: 'boolean' },
    out: { type: 'string' },
  }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const model = args.values.model;
  const out = args.values.out;
  if (typeof model !== 'string') throw new InputError('--model DIR is required');
  if (typeof out !== 'string') throw new InputError('--out FILE is required');
  const enu = numberOption(args, 'enu', 'GeV');
  const range = rangeOption(args, 'enu-range', 'GeV');
  if ((enu === undefined) === (range === undefined)) throw new InputError('give exactly one of --enu E or --enu-range A:B');
  if (enu !== undefined && !(enu > 0)) throw new InputError(`--enu expects a positive energy (GeV), got ${enu}`);
  const events = numberOption(args, 'events', 'events');
  if (events === undefined || !Number.isInteger(events) || events < 1) throw new InputError('--events N expects a positive integer');
  const seed = numberOption(args, 'seed', 'integer') ?? 1;
  const engine = engineOptions(args);
  const s = await interruptible('generate', out, (signal) => generateToFile({
    signal,
    model,
    enu: enu ?? range!,
    events,
    seed,
    out,
    ...engine,
    onBatch(done) {
      if (!args.values.json && process.stderr.isTTY) process.stderr.write(`\r${done}/${events} events`);
    },
  }));
  if (!s) return 130;
  if (args.values.json) process.stdout.write(JSON.stringify({ out, ...s }) + '\n');
  else {
    const why = typeof s.engine.device_reason === 'string' ? `; ${s.engine.device_reason}` : '';
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}wrote ${s.events} events to ${out} in ${s.seconds.toFixed(2)} s (${Math.round(s.events_per_s)} events/s on ${s.backend}${why})\n`);
  }
  return 0;
}
