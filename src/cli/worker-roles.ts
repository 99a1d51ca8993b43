/**
 * The worker-thread modules of nugan, by role name: what the single-file bundle's entry runs when it
 * is started as a worker (src/util/worker-launch.ts explains why the bundle needs this).
 */
const roles: Record<string, () => Promise<unknown>> = {
  'gan-cpu': () => import('../gan/engines/cpu/worker.ts'),
};

export async function runWorkerRole(role: string): Promise<void> {
  const load = roles[role];
  if (!load) throw new Error(`unknown nugan worker role '${role}' (known: ${Object.keys(roles).join(', ')})`);
  await load();
}
