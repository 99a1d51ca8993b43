/** `nugan status [PIPELINE]`: cached / stale (and why) / missing, per stage instance. */
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { pipelinePath, preparePipeline } from '../../runner/prepare.ts';
import { pipelineStatus } from '../../runner/status.ts';
import { parseCommandArgs } from '../args.ts';
import { failWithDiagnostics } from '../problems.ts';

const help = `usage: nugan status [PIPELINE] [--set K=V]… [--store DIR] [--json]

For each stage: cached, stale (with every cause: param path old → new, upstream stage, input file,
code) or missing. Exit code 0 when everything is cached, 1 otherwise. With --json each stale or
missing stage carries its \`causes\` as records ({type: param, path, old, new}, {type: upstream, id},
{type: file, file}, {type: code}, {type: seed}, …) and \`reasons\`, the same in words.
`;

export default async function statusCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('status', argv, { set: { type: 'string', multiple: true }, store: { type: 'string' }, json: { type: 'boolean' } });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (args.positionals.length > 1) throw new InputError(`nugan status takes one PIPELINE, got ${args.positionals.length}`);
  const json = args.values.json === true;
  const file = pipelinePath(args.positionals[0]);
  if (!file.ok) return failWithDiagnostics(file.error, json);
  const sets = args.values.set === undefined ? [] : [args.values.set].flat().map(String);
  const prepared = await preparePipeline(file.value, stageKinds, { sets, store: args.values.store as string | undefined });
  if (!prepared.ok) return failWithDiagnostics(prepared.error, json);
  const { plan, keys, store, memo } = prepared.value;
  memo.save();
  const statuses = pipelineStatus(plan, keys, store, (m) => process.stderr.write(`warning: ${m}\n`));
  if (json) {
    process.stdout.write(`${JSON.stringify({ pipeline: plan.pipeline.file, store: store.dir, stages: statuses })}\n`);
  } else {
    const width = Math.min(40, Math.max(...statuses.map((s) => s.id.length)));
    for (const s of statuses) {
      process.stdout.write(`${s.state.padEnd(7)}  ${s.id.padEnd(width)}\n`);
      if (s.state !== 'cached') for (const r of s.reasons) process.stdout.write(`           ${r}\n`);
    }
    const n = (st: string) => statuses.filter((s) => s.state === st).length;
    process.stdout.write(n('cached') === statuses.length ? `all ${statuses.length} stages are up to date\n` : `${n('cached')} cached, ${n('stale')} stale, ${n('missing')} missing\n`);
  }
  return statuses.every((s) => s.state === 'cached') ? 0 : 1;
}
