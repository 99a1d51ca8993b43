/**
 * Training on non-finite numbers ends, it does not hang (issue 14, item 1): each trigger the issue
 * found — an Arrow input with E_nu = +Inf, `lr_g: 1e30`, `init:` from a model with NaN weights — makes
 * its stage fail with a message that says what happened, through the real CLI; the other stages run,
 * and the store verifies intact afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

/** A small network and few events: each training takes seconds. */
const small = `architecture: { blocks: 2, width: 16 }, epochs: 2, batch: 256, val_events: 500, device: cpu`;

describe('training on non-finite numbers', () => {
  it('an infinite E_nu, lr_g 1e30 and an init model with NaN weights each fail their stage with what went wrong, and nothing hangs', async () => {
    rig = new Rig();
    // pyarrow-style table: no unit metadata; one E_nu is +Inf.
    writeFileSync(join(rig.dir, 'inf.arrow'), tableToIPC(tableFromArrays({ E_nu: Float64Array.of(1.2, Number.POSITIVE_INFINITY), E_mu: Float64Array.of(0.8, 0.7), theta: Float64Array.of(0.3, 0.2) }), 'file'));
    const p = rig.write(
      'p.yaml',
      `stages:
  data:
    uses: simulate
    with: { domain: nu-carbon, events: 3000, enu: { uniform: [0.5, 5] } }
  inf-data:
    uses: ingest
    with: { file: inf.arrow }
  on-inf:
    uses: train
    with: { data: inf-data, ${small} }
  hot:
    uses: train
    with: { data: data, lr_g: 1e30, lr_d: 1e30, ${small} }
  base:
    uses: train
    with: { data: data, ${small} }
  poisoned:
    uses: command
    needs: [base]
    with:
      # a copy of base's model whose weights are all NaN (0xff bytes as float32)
      run: |
        cp -r \${{ stages.base.outputs.model }} model && chmod -R u+w model
        node -e "const fs = require('fs'); for (const f of ['model/weights.bin', 'model/discriminator/weights.bin']) fs.writeFileSync(f, Buffer.alloc(fs.statSync(f).size, 255))"
      outputs: { model: model }
  tune:
    uses: train
    needs: [poisoned]
    with: { data: data, init: poisoned, epochs: 2, batch: 256, val_events: 500, device: cpu }
`,
    );
    const t0 = Date.now();
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(Date.now() - t0).toBeLessThan(150_000);
    expect(r.code, r.stderr).toBe(1);
    const byId = Object.fromEntries(r.doc.stages.map((s) => [s.id, s as typeof s & { message?: string }]));
    expect(byId.data!.state).toBe('ran');
    expect(byId.base!.state).toBe('ran');
    expect(byId.poisoned!.state).toBe('ran');
    expect(byId['inf-data']!.state).toBe('failed');
    expect(byId['inf-data']!.message).toContain('inf.arrow (entry 1): non-finite value');
    expect(byId['on-inf']!.state).toBe('skipped');
    expect(byId.hot!.state).toBe('failed');
    expect(byId.hot!.message).toMatch(/training diverged at epoch 1 \(/);
    expect(byId.tune!.state).toBe('failed');
    expect(byId.tune!.message).toMatch(/training diverged at epoch 0 \(non-finite generator output/);
    const v = await rig.run(['verify', '--store', rig.store]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/verified 3 artifacts .*: all intact/);
  }, 240_000);
});
