/** `nugan dag [PIPELINE] [--format text|dot|mermaid] [--json]`: the expanded stage graph. */
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { createHasher } from '../../cache/hash.ts';
import { formatDag, type DagFormat } from '../../runner/dag.ts';
import { loadAndExpand, pipelinePath } from '../../runner/prepare.ts';
import { parseCommandArgs } from '../args.ts';
import { failWithDiagnostics } from '../problems.ts';

const help = `usage: nugan dag [PIPELINE] [--format text|dot|mermaid] [--json] [--set K=V]…

Prints the expanded stage graph: one line per stage instance (text), Graphviz dot, or Mermaid.
With --json (the same as --format json): one document {"pipeline", "name", "stages": [{"id",
"base", "kind", "needs", "matrix", "seed", "cacheable"}]}, stages in a dependency order.
`;

export default async function dagCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('dag', argv, { format: { type: 'string' }, set: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const format = String(args.values.format ?? (args.values.json ? 'json' : 'text'));
  if (!['text', 'dot', 'mermaid', 'json'].includes(format)) throw new InputError(`--format expects text, dot, mermaid or json, got '${format}'`);
  if (args.values.json && format !== 'json') throw new InputError(`--json prints JSON; it cannot be combined with --format ${format}`);
  const json = format === 'json';
  const file = pipelinePath(args.positionals[0]);
  if (!file.ok) return failWithDiagnostics(file.error, json);
  const sets = args.values.set === undefined ? [] : [args.values.set].flat().map(String);
  const plan = loadAndExpand(file.value, stageKinds, { sets, h32: (await createHasher()).h32 });
  if (!plan.ok) return failWithDiagnostics(plan.error, json);
  if (json) {
    const p = plan.value;
    const stages = p.nodes.map((n) => ({ id: n.id, base: n.baseId, kind: n.kind, needs: n.needs, ...(n.matrix ? { matrix: n.matrix } : {}), seed: n.seed, cacheable: n.cacheable }));
    process.stdout.write(`${JSON.stringify({ pipeline: p.pipeline.file, name: p.pipeline.name, stages })}\n`);
    return 0;
  }
  process.stdout.write(formatDag(plan.value, format as DagFormat));
  return 0;
}
