/** `nugan dag` formats, on a small graph drawn here:  a ─▶ t@1, t@2 ─▶ z */
import { describe, expect, it } from 'vitest';
import type { StageKind } from '../../src/contract/stage.ts';
import { createHasher } from '../../src/cache/hash.ts';
import { formatDag } from '../../src/runner/dag.ts';
import { expandPipeline } from '../../src/runner/expand.ts';
import { loadPipeline } from '../../src/runner/load.ts';

const k: StageKind = { kind: 'k', description: '', schema: { type: 'object' }, moduleUrl: import.meta.url, run: async () => ({ outputs: {} }) };
const h = await createHasher();
const loaded = loadPipeline('/virtual/g.yaml', 'name: g\nstages:\n  a: { uses: k }\n  t: { uses: k, needs: [a], matrix: { x: [1, 2] } }\n  z: { uses: k, needs: [t] }\n');
if (!loaded.ok) throw new Error('fixture');
const plan = expandPipeline(loaded.value, [k], { h32: h.h32 });
if (!plan.ok) throw new Error('fixture');

describe('dag formats', () => {
  it('dot has one node per instance and one edge per dependency', () => {
    const dot = formatDag(plan.value, 'dot');
    expect(dot).toContain('"t@1" [label="t@1\\nk"];');
    expect(dot.match(/->/g)).toHaveLength(4);
    expect(dot).toContain('"t@2" -> "z";');
  });
  it('mermaid uses safe node ids with the stage ids as labels', () => {
    const m = formatDag(plan.value, 'mermaid');
    expect(m).toContain('n1["t@1<br/>k"]');
    expect(m).toContain('n0 --> n1');
    expect(m).toContain('n2 --> n3');
  });
});
