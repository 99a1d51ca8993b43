/**
 * Stage kind `command`: runs an external program (NuWro, a script, anything) in the stage's fresh
 * working directory, which becomes the artifact (README.md, "Pipelines"). Declared `inputs` are hashed into the
 * key and linked into the working directory; declared `outputs` must exist afterwards (the runner
 * checks them). The program's stdout and stderr go, line by line, to the stage log.
 */
import { mkdirSync, rmSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError, type StageContext, type StageKind } from '../src/contract/stage.ts';
import schema from '../schemas/command.schema.json' with { type: 'json' };

export interface CommandParams {
  run: string | string[];
  inputs: string[];
  outputs: string[] | Record<string, string>;
  env: Record<string, string | number | boolean>;
  timeout: number;
  cacheable: boolean;
}

/** Output name → path; a list names each output by its path. */
export function outputMap(outputs: CommandParams['outputs']): Record<string, string> {
  return Array.isArray(outputs) ? Object.fromEntries(outputs.map((p) => [p, p])) : { ...outputs };
}

const KILL_GRACE_MS = 2000;

async function run(ctx: StageContext<CommandParams>): Promise<{ outputs: Record<string, string>; summary: Record<string, unknown> }> {
  const { execa } = await import('execa');
  const p = ctx.params;
  // Link declared inputs that lie under the pipeline directory, so `run: nuwro -i params.txt` works as written.
  const links: string[] = [];
  for (const rel of p.inputs) {
    if (isAbsolute(rel)) continue;
    const inside = relative(ctx.pipelineDir, resolve(ctx.pipelineDir, rel));
    if (inside.startsWith('..')) continue;
    const at = join(ctx.outDir, inside);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(resolve(ctx.pipelineDir, rel), at);
    links.push(at);
  }
  const [file, ...args] = typeof p.run === 'string' ? ['sh', '-c', p.run] : p.run;
  const started = performance.now();
  const child = execa(file!, args, {
    cwd: ctx.outDir,
    env: {
      ...Object.fromEntries(Object.entries(p.env).map(([k, v]) => [k, String(v)])),
      NUGAN_STAGE_ID: ctx.id,
      NUGAN_SEED: String(ctx.seed),
      NUGAN_PIPELINE_DIR: ctx.pipelineDir,
      NUGAN_CPUS: String(ctx.cpus),
    },
    // Own process group, so an abort kills the program and everything it started.
    detached: true,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  let timedOut = false;
  const timeout = p.timeout > 0 ? setTimeout(() => ((timedOut = true), onAbort()), p.timeout * 1000) : undefined;
  let lines = 0;
  if (child.all) {
    for await (const line of createInterface({ input: child.all, crlfDelay: Infinity })) {
      ctx.log(line);
      lines++;
    }
  }
  const result = await child;
  ctx.signal.removeEventListener('abort', onAbort);
  clearTimeout(timeout);
  clearTimeout(killTimer);
  for (const l of links) {
    if (lstatSync(l, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(l);
  }
  const shown = typeof p.run === 'string' ? p.run : p.run.join(' ');
  if (ctx.signal.aborted) throw new InputError(`command interrupted: ${shown}`);
  if (timedOut) throw new InputError(`command killed after its timeout of ${p.timeout} s: ${shown}`);
  if (result.exitCode !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    throw new InputError(`command ${how}: ${shown}`);
  }
  return { outputs: outputMap(p.outputs), summary: { seconds: (performance.now() - started) / 1000, logLines: lines } };
}

export const commandStage: StageKind<CommandParams> = {
  kind: 'command',
  description: 'run an external program (e.g. NuWro) with declared input and output files',
  schema,
  moduleUrl: import.meta.url,
  externalInputs: (p) => p.inputs,
  shellParams: ['run'],
  cacheable: (p) => p.cacheable,
  run,
};
