/**
 * Expected failures are values, not exceptions (house rule 4): a function that can fail for a reason
 * the caller must handle returns a `Result`, and `throw` is left for bugs.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };
