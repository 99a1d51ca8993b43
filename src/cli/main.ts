/**
 * nugan's command line: the composition root. Each subcommand lives in src/cli/commands/<name>.ts and
 * exports `default (argv: string[]) => Promise<number>` (the exit code). Only the CLI layer prints.
 */
import { InputError } from '../util/errors.ts';
import { errorDocument } from '../reporters/errors.ts';
import { failWithInputError } from './problems.ts';

interface CommandEntry {
  summary: string;
  load: () => Promise<{ default: (argv: string[]) => Promise<number> }>;
}

const commands: Record<string, CommandEntry> = {
  run: { summary: 'run a pipeline (default: pipelines/quickstart.yaml)', load: () => import('./commands/run.ts') },
  status: { summary: 'show which stages are cached, stale (and why) or missing', load: () => import('./commands/status.ts') },
  dag: { summary: 'print the stage graph (text, dot, mermaid, json)', load: () => import('./commands/dag.ts') },
  show: { summary: "print a stage's artifact directory, output paths and manifest", load: () => import('./commands/show.ts') },
  push: { summary: "upload stages' artifacts to the remote cache", load: () => import('./commands/push.ts') },
  pull: { summary: "download stages' artifacts from the remote cache", load: () => import('./commands/pull.ts') },
  verify: { summary: 're-hash every artifact against its manifest; move corrupt ones aside', load: () => import('./commands/verify.ts') },
  gc: { summary: 'remove artifacts no pipeline run references any more', load: () => import('./commands/gc.ts') },
  'exec-stage': { summary: 'run one stage job spec (used inside SLURM jobs)', load: () => import('./commands/exec-stage.ts') },
  simulate: { summary: 'generate events with the reference physics generator', load: () => import('./commands/simulate.ts') },
  ingest: { summary: 'read NuWro ROOT / text / NuHepMC events into an event table', load: () => import('./commands/ingest.ts') },
  inspect: { summary: 'summarise an event table', load: () => import('./commands/inspect.ts') },
  generate: { summary: 'generate events with a trained model', load: () => import('./commands/generate.ts') },
  evaluate: { summary: 'compare a model with reference events (MAP, EMD, …)', load: () => import('./commands/evaluate.ts') },
  export: { summary: "write a model's generator as ONNX or for Keras, to use it outside nugan", load: () => import('./commands/export.ts') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: nugan <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'nugan <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A bare `nugan` is a usage error: the usage goes to stderr, stdout stays empty.
    process.stderr.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version') {
    const { NUGAN_VERSION } = await import('../version.ts');
    process.stdout.write(`${NUGAN_VERSION}\n`);
    return 0;
  }
  const json = rest.includes('--json');
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`nugan: unknown command '${name}'\n\n${usage()}`);
    if (json) process.stdout.write(`${JSON.stringify(errorDocument(new InputError(`unknown command '${name}'`)))}\n`);
    return 2;
  }
  try {
    const mod = await entry.load();
    return await mod.default(rest);
  } catch (err) {
    // With --json, an input error is also one JSON document on stdout (src/reporters/errors.ts).
    if (err instanceof InputError) return failWithInputError(name, err, json);
    throw err;
  }
}
