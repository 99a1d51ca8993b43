/** The `command` stage kind, run directly through its StageContext (no runner). */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError, type StageContext } from '../../src/contract/stage.ts';
import { commandStage, type CommandParams } from '../../stages/command.ts';

let dir: string;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function context(params: Partial<CommandParams>, signal = new AbortController().signal): { ctx: StageContext<CommandParams>; log: string[] } {
  dir = mkdtempSync(join(tmpdir(), 'nugan-cmd-'));
  const outDir = join(dir, 'out');
  mkdirSync(outDir);
  const log: string[] = [];
  const ctx: StageContext<CommandParams> = {
    id: 'c@1',
    kind: 'command',
    params: { run: 'true', inputs: [], outputs: [], env: {}, timeout: 0, cacheable: true, ...params },
    inputs: {},
    outDir,
    scratchDir: join(dir, 'scratch'),
    pipelineDir: dir,
    seed: 17,
    signal,
    progress: { total() {}, advance() {}, message() {} },
    log: (l) => log.push(l),
    cpus: 1,
    gpus: [],
  };
  return { ctx, log };
}

describe('command stage', () => {
  it('runs an argv list in its working directory, logs stdout and stderr, and sees its seed and id', async () => {
    const { ctx, log } = context({ run: ['sh', '-c', 'echo "$NUGAN_STAGE_ID $NUGAN_SEED" > o.txt; echo to-out; echo to-err >&2'], outputs: { result: 'o.txt' } });
    const r = await commandStage.run(ctx);
    expect(r.outputs).toEqual({ result: 'o.txt' });
    expect(readFileSync(join(ctx.outDir, 'o.txt'), 'utf8')).toBe('c@1 17\n');
    expect(log.sort()).toEqual(['to-err', 'to-out']);
  });

  it('links declared inputs into the working directory while it runs, and removes the links afterwards', async () => {
    const { ctx } = context({ run: 'cat params.txt > copy.txt', outputs: ['copy.txt'] });
    writeFileSync(join(dir, 'params.txt'), 'number_of_events = 10\n');
    (ctx.params as CommandParams).inputs.push('params.txt');
    await commandStage.run(ctx);
    expect(readFileSync(join(ctx.outDir, 'copy.txt'), 'utf8')).toBe('number_of_events = 10\n');
    expect(existsSync(join(ctx.outDir, 'params.txt'))).toBe(false);
    expect(commandStage.externalInputs!(ctx.params)).toEqual(['params.txt']);
  });

  it('a non-zero exit is an InputError naming the code and the command', async () => {
    const { ctx } = context({ run: 'exit 7' });
    await expect(commandStage.run(ctx)).rejects.toThrow(new InputError('command exited with code 7: exit 7'));
  });

  it('an abort kills the whole process group promptly', async () => {
    const ac = new AbortController();
    const { ctx } = context({ run: 'sleep 30 & sleep 30; wait' }, ac.signal);
    const t0 = Date.now();
    const p = commandStage.run(ctx);
    setTimeout(() => ac.abort(), 200);
    await expect(p).rejects.toThrow('command interrupted');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('cacheable: false is passed on to the runner', () => {
    const { ctx } = context({ cacheable: false });
    expect(commandStage.cacheable!(ctx.params)).toBe(false);
  });
});
