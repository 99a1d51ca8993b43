/**
 * Pure planning (house rule 8): (plan, `--only`, `--force`) → the set of instances to bring up to date
 * and the set to rerun even when cached. `--only X` takes X (all instances when X is a matrix base id)
 * plus everything X depends on — upstream stages run only when not cached.
 */
import type { Result } from '../util/result.ts';
import { didYouMean, error, type Diagnostic } from './diagnostics.ts';
import type { Plan, StageId } from './expand.ts';

export interface Selection {
  /** Instances the run brings up to date, in plan order. */
  readonly order: readonly StageId[];
  readonly forced: ReadonlySet<StageId>;
}

export function selectStages(plan: Plan, only: readonly string[] = [], force: readonly string[] = []): Result<Selection, Diagnostic[]> {
  const problems: Diagnostic[] = [];
  const resolveName = (name: string, flag: string): StageId[] => {
    if (plan.byId.has(name)) return [name];
    const g = plan.groups.get(name);
    if (g) return [...g];
    problems.push(error(`${flag} ${name}: no stage '${name}' in ${plan.pipeline.file}${didYouMean(name, [...plan.groups.keys(), ...(plan.nodes.length < 2000 ? plan.byId.keys() : [])])}`));
    return [];
  };
  const forced = new Set(force.flatMap((f) => resolveName(f, '--force')));
  const roots = only.flatMap((o) => resolveName(o, '--only'));
  if (problems.length) return { ok: false, error: problems };
  if (roots.length === 0) return { ok: true, value: { order: plan.nodes.map((n) => n.id), forced } };
  const wanted = new Set<StageId>();
  const stack = [...roots, ...forced];
  while (stack.length) {
    const id = stack.pop()!;
    if (wanted.has(id)) continue;
    wanted.add(id);
    stack.push(...plan.byId.get(id)!.needs);
  }
  return { ok: true, value: { order: plan.nodes.filter((n) => wanted.has(n.id)).map((n) => n.id), forced } };
}
