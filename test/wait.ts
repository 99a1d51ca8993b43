/** Polls `cond` every 25 ms until it holds; fails after `ms` (a generous bound: it only matters when a test is already failing). */
export async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
