/** Cache keys: what enters them and what does not — on small pipelines drawn in the test. */
import { describe, expect, it } from 'vitest';
import type { StageKind } from '../../src/contract/stage.ts';
import { createHasher, FileHashMemo } from '../../src/cache/hash.ts';
import { expandPipeline } from '../../src/runner/expand.ts';
import { computeKeys } from '../../src/runner/keys.ts';
import { loadPipeline } from '../../src/runner/load.ts';

const fit: StageKind = {
  kind: 'fit',
  description: 'test kind with execution-only parameters',
  schema: { type: 'object', properties: { epochs: { type: 'integer' }, device: { enum: ['auto', 'cpu', 'gpu'], default: 'auto' }, threads: { type: 'integer' } }, additionalProperties: false },
  moduleUrl: import.meta.url,
  executionParams: ['device', 'threads'],
  check: (p: { epochs?: number }) => ((p.epochs ?? 1) > 100 ? [{ path: ['epochs'], message: 'at most 100 epochs in this test kind' }] : []),
  async run() {
    return { outputs: {} };
  },
};

const hasher = await createHasher();
async function keyOf(withBlock: string): Promise<string> {
  const loaded = loadPipeline('/virtual/p.yaml', `stages:\n  a:\n    uses: fit\n    with: ${withBlock}\n`);
  if (!loaded.ok) throw new Error(loaded.error.map((d) => d.message).join('\n'));
  const plan = expandPipeline(loaded.value, [fit], { h32: hasher.h32 });
  if (!plan.ok) throw new Error(plan.error.map((d) => d.message).join('\n'));
  const keys = await computeKeys(plan.value, [fit], hasher, new FileHashMemo());
  return keys.get('a')!.key;
}

describe('cache keys', () => {
  it('leave out the execution-only parameters (device, threads): moving a study to a GPU or another machine reuses its results', async () => {
    const base = await keyOf('{ epochs: 3 }');
    expect(await keyOf('{ epochs: 3, device: gpu }')).toBe(base);
    expect(await keyOf('{ epochs: 3, device: cpu, threads: 16 }')).toBe(base);
    expect(await keyOf('{ epochs: 4 }')).not.toBe(base);
  });

  it("report a kind's own parameter checks at the parameter's line when planning", () => {
    const text = 'stages:\n  a:\n    uses: fit\n    with: { epochs: 500 }\n';
    const loaded = loadPipeline('/virtual/p.yaml', text);
    if (!loaded.ok) throw new Error('load failed');
    const plan = expandPipeline(loaded.value, [fit], { h32: hasher.h32 });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    const d = plan.error[0]!;
    expect(d.message).toBe('stages.a.with.epochs: at most 100 epochs in this test kind');
    // The range underlines the value 500 on line 4 of the file.
    expect(text.slice(d.location!.range.start, d.location!.range.end)).toBe('500');
  });
});
