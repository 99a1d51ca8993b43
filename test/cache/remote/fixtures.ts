/** Fixtures of the remote-cache tests: a pipeline whose keys are equal on every "machine", and a tree reader. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Rig } from '../../cli/rig.ts';

/** Every file under `dir`, relative path → bytes. */
export function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/**
 * Counts invocations through an environment variable (NUGAN_TEST_COUNTER, set per rig by `env`), so the
 * pipeline's text — and so every key — is the same on both "machines".
 */
const COUNT = 'echo $NUGAN_STAGE_ID >> \\"$NUGAN_TEST_COUNTER\\"';
export const env = (rig: Rig, extra: Record<string, string> = {}) => ({ NUGAN_TEST_COUNTER: rig.counter, ...extra });

/**
 * A three-stage pipeline (`variant` changes every key): a random binary file (so a rerun could never reproduce it),
 * a directory output, and a consumer.
 */
export function sharedPipeline(rig: Rig, variant = '', remote?: string): string {
  return rig.write(
    'p.yaml',
    `name: shared${remote ? `\nremote: ${remote}` : ''}
stages:
  data:
    uses: command
    with:
      run: "${COUNT}; head -c 300000 /dev/urandom > events.bin${variant ? `; : ${variant}` : ''}"
      outputs: [events.bin]
  model:
    uses: command
    needs: [data]
    with:
      run: "${COUNT}; mkdir -p m/w && cp \${{ stages.data.outputs.events.bin }} m/w/weights.bin && echo '{\\"layers\\": 2}' > m/model.json"
      outputs: { model: m }
  report:
    uses: command
    needs: [model]
    with:
      run: "${COUNT}; ls -R \${{ stages.model.outputs.model }} > report.txt"
      outputs: [report.txt]
`,
  );
}

