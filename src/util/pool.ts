/**
 * `mapLimit`: runs an async function over items with at most `limit` calls in flight, results in input
 * order. Remote lookups and transfers use it so that many small requests overlap (latency, not
 * bandwidth, bounds them) without opening a connection per item.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
