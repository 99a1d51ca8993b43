import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageContext } from '../../src/contract/stage.ts';
import { readEventTable } from '../../src/io/event-table.ts';
import { simulateStage, type SimulateParams } from '../../stages/simulate.ts';
import { TEST_TABLE_DIR } from '../physics/helpers.ts';

// ajv is CommonJS: under NodeNext its class is the default export's `default`
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

let dir: string;
const savedCache = process.env.NUGAN_CACHE_DIR;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nugan-sim-stage-'));
  // share the physics tests' table cache so the tables are built once per machine
  process.env.NUGAN_CACHE_DIR = TEST_TABLE_DIR;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.NUGAN_CACHE_DIR;
  else process.env.NUGAN_CACHE_DIR = savedCache;
});

function context(params: SimulateParams, outDir: string, signal = new AbortController().signal): StageContext<SimulateParams> & { advanced: number; lines: string[] } {
  const ctx = {
    id: 'sim', kind: 'simulate', params, inputs: {}, outDir, scratchDir: `${outDir}.scratch`, pipelineDir: dir, seed: 99, signal, cpus: 2, gpus: [],
    advanced: 0, lines: [] as string[],
    progress: { total() {}, advance(n = 1) { ctx.advanced += n; }, message() {} },
    log(line: string) { ctx.lines.push(line); },
  };
  return ctx;
}

describe('simulate stage', () => {
  it('accepts fixed and ranged energies and knob overrides in its schema, and rejects unknown knobs', () => {
    const validate = new Ajv({ useDefaults: true }).compile(simulateStage.schema);
    expect(validate({ domain: 'nu-argon', events: 10, enu: 1 })).toBe(true);
    expect(validate({ domain: 'nu-carbon', events: 10, enu: { uniform: [0.3, 10] }, energy_mode: 'flux', knobs: { M_A: 1.2, W_cut: 1.9 }, threads: 2 })).toBe(true);
    expect(validate({ domain: 'nu-carbon', events: 10, enu: 1, knobs: { M_X: 1 } })).toBe(false);
    expect(validate({ domain: 'mars', events: 10, enu: 1 })).toBe(false);
    expect(simulateStage.resources!({ domain: 'nu-carbon', events: 1, enu: 1, threads: 3 })).toEqual({ cpus: 3 });
  });

  it('writes events.arrow with channel labels, the stage seed and per-channel cross sections', async () => {
    const out = join(dir, 'a');
    rmSync(out, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    const ctx = context({ domain: 'antinu-carbon', events: 5000, enu: { uniform: [0.5, 5] }, knobs: { f_MEC: 0.3 } }, out);
    const res = await simulateStage.run(ctx);
    expect(res.outputs).toEqual({ events: 'events.arrow' });
    expect(ctx.advanced).toBe(5000);
    const { events, meta } = await readEventTable(join(out, 'events.arrow'));
    expect(events.E_nu.length).toBe(5000);
    expect(events.channel).toBeDefined();
    const codes = new Set(events.channel);
    expect(codes.has(0) && codes.has(2)).toBe(true);
    for (let i = 0; i < events.E_nu.length; i++) {
      expect(events.E_nu[i]!).toBeGreaterThanOrEqual(0.5);
      expect(events.E_nu[i]!).toBeLessThanOrEqual(5);
    }
    expect(meta.domain).toBe('antinu-carbon');
    expect(meta.seed).toBe(99);
    expect(String(meta.source)).toMatch(/not NuWro/);
    const xs = meta.cross_sections as Record<string, number[]>;
    expect(xs.E_nu![0]).toBe(0.5);
    // f_MEC override reaches the physics: MEC = 0.3 × QE on carbon
    expect(xs.MEC![3]! / xs.QE![3]!).toBeCloseTo(0.3, 3);
    expect((res.summary!.overflow as Record<string, number>).QE).toBeGreaterThanOrEqual(0);
    expect(res.summary!.events).toBe(5000);
  });

  it('gives the same events for the same seed whatever the thread count', async () => {
    const read = async (threads: number): Promise<Float64Array> => {
      const out = mkdtempSync(join(dir, 't'));
      await simulateStage.run(context({ domain: 'nu-carbon', events: 40_000, enu: 2, seed: 4, threads }, out));
      return (await readEventTable(join(out, 'events.arrow'))).events.E_mu;
    };
    const [a, b] = [await read(1), await read(2)];
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  }, 30_000);

  it('leaves no output file when aborted', async () => {
    const out = mkdtempSync(join(dir, 'abort'));
    const ac = new AbortController();
    const ctx = context({ domain: 'nu-carbon', events: 200_000, enu: 1 }, out, ac.signal);
    ctx.progress.advance = () => ac.abort(new Error('stop'));
    await expect(simulateStage.run(ctx)).rejects.toThrow('stop');
    expect(readdirSync(out)).toEqual([]);
  });

  it('reports a bad energy as an input error naming the parameter', async () => {
    const out = mkdtempSync(join(dir, 'bad'));
    await expect(simulateStage.run(context({ domain: 'nu-carbon', events: 10, enu: 50 }, out))).rejects.toThrow(/neutrino energy must lie in/);
    await expect(simulateStage.run(context({ domain: 'nu-carbon', events: 10, enu: 1, knobs: { W_lo: 2 } }, out))).rejects.toThrow(/W_lo/);
  });
});
