/**
 * Closes a `switch` over a union (house rule 4): the call only type-checks when every member was
 * handled, so adding a member makes each switch that forgot it fail to compile.
 */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
