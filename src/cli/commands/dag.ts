/** `nugan dag [PIPELINE] [--format text|dot|mermaid]`: the expanded stage graph. */
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { createHasher } from '../../cache/hash.ts';
import { formatDag, type DagFormat } from '../../runner/dag.ts';
import { loadAndExpand, pipelinePath } from '../../runner/prepare.ts';
import { renderDiagnostics } from '../../reporters/diagnostics.ts';
import { parseCommandArgs } from '../args.ts';

const help = `usage: nugan dag [PIPELINE] [--format text|dot|mermaid] [--set K=V]…

Prints the expanded stage graph: one line per stage instance (text), Graphviz dot, or Mermaid.
`;

export default async function dagCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('dag', argv, { format: { type: 'string' }, set: { type: 'string', multiple: true } });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const format = String(args.values.format ?? 'text');
  if (format !== 'text' && format !== 'dot' && format !== 'mermaid') throw new InputError(`--format expects text, dot or mermaid, got '${format}'`);
  const file = pipelinePath(args.positionals[0]);
  if (!file.ok) {
    process.stderr.write(renderDiagnostics(file.error));
    return 1;
  }
  const sets = args.values.set === undefined ? [] : [args.values.set].flat().map(String);
  const plan = loadAndExpand(file.value, stageKinds, { sets, h32: (await createHasher()).h32 });
  if (!plan.ok) {
    process.stderr.write(renderDiagnostics(plan.error));
    return 1;
  }
  process.stdout.write(formatDag(plan.value, format as DagFormat));
  return 0;
}
