/** The stage graph of a plan as text, Graphviz dot, or Mermaid (for `nugan dag`). Pure. */
import type { Plan } from './expand.ts';
import { unreachable } from '../util/unreachable.ts';

export type DagFormat = 'text' | 'dot' | 'mermaid';

export function formatDag(plan: Plan, format: DagFormat): string {
  const nodes = plan.nodes;
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  switch (format) {
    case 'text':
      return `${nodes.map((n) => `${n.id} (${n.kind})${n.needs.length ? ` ← ${n.needs.join(', ')}` : ''}`).join('\n')}\n`;
    case 'dot': {
      const q = (s: string) => JSON.stringify(s);
      const lines = nodes.map((n) => `  ${q(n.id)} [label=${q(`${n.id}\n${n.kind}`)}];`);
      for (const n of nodes) for (const d of n.needs) lines.push(`  ${q(d)} -> ${q(n.id)};`);
      return `digraph ${q(plan.pipeline.name)} {\n  rankdir=LR;\n  node [shape=box];\n${lines.join('\n')}\n}\n`;
    }
    case 'mermaid': {
      // Mermaid ids cannot hold '@' or '-': use n<index> with the stage id as the label.
      const lines = nodes.map((n, i) => `  n${i}["${n.id.replace(/"/g, '#quot;')}<br/>${n.kind}"]`);
      for (const n of nodes) for (const d of n.needs) lines.push(`  n${index.get(d)} --> n${index.get(n.id)}`);
      return `graph LR\n${lines.join('\n')}\n`;
    }
    default:
      unreachable(format);
  }
}
