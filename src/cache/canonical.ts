/**
 * Canonical JSON (house rule 5): object keys sorted, `undefined` members dropped, so equal values
 * always serialize — and therefore hash — identically. Written as one loop (no intermediate arrays):
 * it runs once per stage instance, 100k times for a large matrix.
 */
/** Quoted object keys: the same few keys recur in every stage instance's KeyData. */
const quoted = new Map<string, string>();

export function canonicalJson(value: unknown, memo?: WeakMap<object, string>): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  const known = memo?.get(value);
  if (known !== undefined) return known;
  const text = canonicalObject(value, memo);
  memo?.set(value, text);
  return text;
}

/**
 * `memo` caches the text of objects shared between many values (the static parts of a matrix stage's
 * parameters); only pass one when those objects are not mutated afterwards.
 */
function canonicalObject(value: object, memo: WeakMap<object, string> | undefined): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i], memo);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    let q = quoted.get(k);
    if (q === undefined) {
      q = `${JSON.stringify(k)}:`;
      if (quoted.size < 10_000) quoted.set(k, q);
    }
    out += (first ? q : `,${q}`) + canonicalJson(v, memo);
    first = false;
  }
  return `${out}}`;
}
