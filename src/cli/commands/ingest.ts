/**
 * `nugan ingest FILE… --out FILE [--format auto|nuwro-root|csv|nuance|nuhepmc] [--unit GeV|MeV]
 * [--domain D] [--json]`: read event files into one event table (format of --out by extension).
 */
import { InputError } from '../../util/errors.ts';
import { energyRangeWarning, ingestFiles, INGEST_FORMATS, type IngestFormat } from '../../io/ingest.ts';
import { parseCommandArgs } from '../args.ts';
import { interruptible } from '../interrupt.ts';

const help = `usage: nugan ingest FILE… --out FILE [options]

Reads NuWro ROOT output, CSV/TSV/whitespace tables, NUANCE .kin (nuwro2nuance), NuHepMC (HepMC3
ASCII) or Arrow event tables and writes the CC muon-(anti)neutrino events as one event table.

  --out FILE        output table: .arrow, .csv or .hepmc3
  --format F        auto (default: recognised from content) | ${INGEST_FORMATS.join(' | ')}
  --unit U          energy unit of text tables that do not state one: GeV (default) | MeV
  --domain D        domain recorded in the table metadata (nu-carbon, nu-argon, …)
  --json            print the summary as one JSON document
`;

export default async function ingestCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('ingest', argv, {
    out: { type: 'string', short: 'o' },
    format: { type: 'string' },
    unit: { type: 'string' },
    domain: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const out = args.values.out;
  if (typeof out !== 'string') throw new InputError('--out FILE is required (.arrow, .csv or .hepmc3)');
  if (args.positionals.length === 0) throw new InputError('no input files given (nugan ingest FILE… --out FILE)');
  const format = (args.values.format ?? 'auto') as string;
  if (format !== 'auto' && !(INGEST_FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`--format expects auto, ${INGEST_FORMATS.join(', ')}; got '${format}'`);
  }
  const unit = args.values.unit as string | undefined;
  if (unit !== undefined && unit !== 'GeV' && unit !== 'MeV') throw new InputError(`--unit expects GeV or MeV, got '${unit}'`);
  const t0 = performance.now();
  const summary = await interruptible('ingest', out, (signal) => ingestFiles(args.positionals, out, {
    format: format as 'auto' | IngestFormat,
    unit,
    domain: args.values.domain as string | undefined,
    signal,
  }));
  if (!summary) return 130;
  const seconds = (performance.now() - t0) / 1000;
  // The warning goes to stderr in both modes; with --json the count is also in the document.
  if (summary.outside_energy_range > 0) process.stderr.write(`${energyRangeWarning(summary.outside_energy_range)}\n`);
  if (args.values.json) {
    process.stdout.write(JSON.stringify({ out, seconds, ...summary }) + '\n');
    return 0;
  }
  for (const f of summary.files) {
    const dropped = Object.entries(f.dropped).map(([k, v]) => `${v} ${k}`).join(', ');
    process.stderr.write(`${f.file} (${f.format}): read ${f.read}, kept ${f.kept}${dropped ? `, dropped ${dropped}` : ''}\n`);
  }
  process.stderr.write(
    `wrote ${summary.count} events to ${out} in ${seconds.toFixed(2)} s` +
      (summary.outside_proxy_domain ? ` (${summary.outside_proxy_domain} with omega < 9.8 MeV, outside the proxy domain: kept)` : '') +
      (summary.outside_energy_range ? ` (${summary.outside_energy_range} with E_nu outside 0.3–10 GeV: kept)` : '') +
      '\n',
  );
  return 0;
}
