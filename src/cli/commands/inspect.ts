/**
 * `nugan inspect FILE [--json]`: count, columns, min/max/mean per column and channel counts of an
 * event table (or of any file `nugan ingest` reads).
 */
import { InputError } from '../../util/errors.ts';
import { summariseTable } from '../../io/stats.ts';
import { parseCommandArgs } from '../args.ts';

const help = `usage: nugan inspect FILE [--json]

Summarises an event table (.arrow, .csv, .hepmc3) or an input file (NuWro ROOT, NUANCE .kin, …):
number of events, columns, min/max/mean of each column (GeV, rad), channel counts, and how many
events lie outside the proxy domain (omega < 9.8 MeV).

  --json    print one JSON document: {"events", "columns", "stats", "channels", …}
`;

export default async function inspectCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('inspect', argv, { json: { type: 'boolean' } });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (args.positionals.length !== 1) throw new InputError('expected exactly one FILE (nugan inspect FILE [--json])');
  const file = args.positionals[0]!;
  const s = await summariseTable(file);
  if (args.values.json) {
    process.stdout.write(JSON.stringify({ file, ...s }) + '\n');
    return 0;
  }
  const lines = [`${file}: ${s.events} events, columns ${s.columns.join(', ')}`];
  const unit: Record<string, string> = { E_nu: 'GeV', E_mu: 'GeV', theta: 'rad', weight: '' };
  for (const [name, st] of Object.entries(s.stats)) {
    lines.push(`  ${name.padEnd(7)} min ${st.min.toPrecision(6).padStart(12)}  max ${st.max.toPrecision(6).padStart(12)}  mean ${st.mean.toPrecision(6).padStart(12)} ${unit[name] ?? ''}`);
  }
  if (s.channels) lines.push(`  channels: ${Object.entries(s.channels).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  outside the proxy domain (omega < 9.8 MeV): ${s.outside_proxy_domain}`);
  if (s.meta) {
    const { source, domain, seed } = s.meta;
    lines.push(`  source: ${source}${domain ? `, domain: ${domain}` : ''}${seed !== undefined ? `, seed: ${seed}` : ''}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
