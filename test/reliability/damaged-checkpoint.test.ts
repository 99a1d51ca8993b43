/**
 * Issue 14, "Low" list: a training checkpoint that was damaged after it was written (state.bin cut
 * short) is not resumed, and training does not quietly start over either: the train stage fails with a
 * message naming the checkpoint and how to start over, and nothing is committed.
 */
import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, states } from '../cli/rig.ts';
import { until } from '../wait.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

describe('a damaged training checkpoint', () => {
  it('makes the next run fail its train stage, naming the checkpoint and how to start over', async () => {
    rig = new Rig();
    const p = rig.write(
      'p.yaml',
      `stages:
  data:
    uses: simulate
    with: { domain: nu-carbon, events: 3000, enu: { uniform: [0.3, 10] } }
  model:
    uses: train
    with: { data: data, epochs: 500, batch: 256, checkpoint_every: 1, val_events: 500, device: cpu, threads: 1, architecture: { blocks: 1, width: 8, latent: 2 } }
`,
    );
    const first = rig.spawn(['run', p, '--store', rig.store]);
    const exited = new Promise<void>((r) => first.on('exit', () => r()));
    const scratch = join(rig.store, 'scratch');
    const pointer = () => (existsSync(scratch) ? readdirSync(scratch).map((k) => join(scratch, k, 'current')).find((f) => existsSync(f)) : undefined);
    await until(() => pointer() !== undefined);
    first.kill('SIGINT');
    await exited;
    const ckDir = join(pointer()!, '..');
    const state = join(ckDir, readFileSync(pointer()!, 'utf8').trim(), 'state.bin');
    truncateSync(state, 100);

    const again = await rig.runJson(['run', p, '--store', rig.store]);
    expect(again.code).toBe(1);
    expect(states(again.doc)).toEqual({ data: 'cached', model: 'failed' });
    const message = JSON.stringify(again.doc);
    expect(message).toMatch(/the training checkpoint epoch-\d+: state\.bin is damaged \(100 of \d+ bytes, or its checksum differs\): it is not resumed, and training does not start over on its own/);
    expect(message).toContain(`delete ${ckDir} to train from the first epoch`);
    expect(rig.artifacts()).toHaveLength(1);
    expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);
  });
});
