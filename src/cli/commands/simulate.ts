/**
 * `nugan simulate --domain D --events N (--enu E | --enu-range A:B) [--energy-mode conditional|flux]
 * [--seed S] [--threads T] [--knob name=value]… --out FILE`: events from nugan's reference generator
 * (an analytic stand-in for NuWro, not NuWro) written as an event table (format from the extension).
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../../util/errors.ts';
import { DOMAINS } from '../../physics/domains.ts';
import { numberOption, parseCommandArgs, rangeOption } from '../args.ts';
import { interruptible } from '../interrupt.ts';
import { GENERATOR_SOURCE, resolveRequest, simulateToFile, type SimulateParams } from '../../simulate/simulate.ts';

const help = `usage: nugan simulate --domain D --events N (--enu E | --enu-range A:B) [options] --out FILE

Generates CC-inclusive muon events with nugan's reference generator — a compact analytic stand-in
for NuWro described in docs/reference-generator.md; its events are not NuWro output.

  --domain D             ${DOMAINS.join(' | ')}
  --events N             number of events
  --enu E                fixed neutrino energy (GeV)
  --enu-range A:B        neutrino energy range (GeV), e.g. 0.3:10
  --energy-mode M        conditional (E uniform, default) | flux (E ∝ σ_tot(E) on a flat beam)
  --seed S               PRNG seed (default 1)
  --threads T            worker threads (default: all cores); results do not depend on T
  --knob name=value      override a model knob (repeatable), e.g. --knob M_A=1.2 --knob f_MEC=0.3
  --json                 print the run summary as one JSON document
  --out FILE             output table: .arrow, .csv or .hepmc3 (NuHepMC 1.0.0 with the flux-averaged
                         cross section and sigma per event); formats: docs/formats.md
`;

function parseKnob(raw: string): [string, unknown] {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
  if (!m) throw new InputError(`--knob expects name=value, got '${raw}'`);
  const v = m[2]!;
  const value = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  return [m[1]!, value];
}

export default async function simulateCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('simulate', argv, {
    domain: { type: 'string' },
    events: { type: 'string' },
    enu: { type: 'string' },
    'enu-range': { type: 'string' },
    'energy-mode': { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    knob: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    out: { type: 'string' },
  }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const domain = args.values.domain;
  if (typeof domain !== 'string') throw new InputError(`--domain is required (${DOMAINS.join(', ')})`);
  const events = numberOption(args, 'events', 'events');
  if (events === undefined) throw new InputError('--events is required');
  const out = args.values.out;
  if (typeof out !== 'string') throw new InputError('--out FILE is required (.arrow, .csv or .hepmc3)');
  const enu = numberOption(args, 'enu', 'GeV');
  const range = rangeOption(args, 'enu-range', 'GeV');
  if ((enu === undefined) === (range === undefined)) throw new InputError('give exactly one of --enu E or --enu-range A:B');
  const mode = args.values['energy-mode'] ?? 'conditional';
  if (mode !== 'conditional' && mode !== 'flux') throw new InputError(`--energy-mode expects conditional or flux, got '${String(mode)}'`);
  const seed = numberOption(args, 'seed', 'integer') ?? 1;
  if (!Number.isInteger(seed)) throw new InputError(`--seed expects an integer, got ${seed}`);
  const threads = numberOption(args, 'threads', 'threads') ?? availableParallelism();
  const knobs = Object.fromEntries(((args.values.knob as string[] | undefined) ?? []).map(parseKnob));
  const params: SimulateParams = {
    domain,
    events,
    enu: enu !== undefined ? enu : { uniform: range! },
    energy_mode: mode,
    knobs,
    seed,
    threads: Math.max(1, Math.floor(threads)),
  };
  const req = resolveRequest(params, seed, 'options');
  const json = args.values.json === true;
  let done = 0, lastShown = 0;
  const run = await interruptible('simulate', out, (signal) => simulateToFile(req, out, {
    signal,
    onProgress: (n) => {
      done += n;
      if (!json && process.stderr.isTTY && done - lastShown >= req.events / 20) {
        lastShown = done;
        process.stderr.write(`\r${done}/${req.events} events`);
      }
    },
    log: (line) => process.stderr.write(`${line}\n`),
  }));
  if (!run) return 130;
  const { summary } = run;
  if (json) {
    process.stdout.write(`${JSON.stringify({ out, ...summary })}\n`);
  } else {
    if (process.stderr.isTTY) process.stderr.write('\r');
    const xs = summary.cross_sections as Record<string, number[]>;
    // a range lists every grid energy in the file's metadata; the terminal shows the two ends
    const ends = (a: number[]): number[] => (a.length > 2 ? [a[0]!, a[a.length - 1]!] : a);
    process.stderr.write(
      `${summary.events} events → ${out} in ${summary.seconds} s (${summary.events_per_second} events/s, ${summary.threads} thread(s))\n` +
        `σ per nucleon (1e-38 cm²) at E_nu = ${JSON.stringify(ends(xs.E_nu!))} GeV: ` +
        ['QE', 'MEC', 'RES', 'DIS'].map((c) => `${c} ${JSON.stringify(ends(xs[c]!))}`).join(', ') +
        `\n${GENERATOR_SOURCE}\n`,
    );
  }
  return 0;
}
