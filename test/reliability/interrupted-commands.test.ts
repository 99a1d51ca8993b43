/**
 * Issue 14, "Low" list: Ctrl-C of a command that writes an event table leaves nothing behind — no
 * half file under the name asked for, no hidden temporary file — and exits 130.
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../cli/rig.ts';
import { until } from '../wait.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

describe('Ctrl-C of nugan simulate', () => {
  it('removes its temporary file, says nothing was written, and exits 130', async () => {
    rig = new Rig();
    const child = rig.spawn(['simulate', '--domain', 'nu-carbon', '--events', '20000000', '--enu-range', '0.3:10', '--out', 'big.csv']);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // The writer's hidden temporary sibling exists once events are being written.
    await until(() => readdirSync(rig.dir).some((f) => f.startsWith('.big.csv.') && f.endsWith('.tmp')));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('nugan simulate: interrupted (SIGINT); nothing was written to big.csv');
    expect(readdirSync(rig.dir)).toEqual([]);
  });
});
