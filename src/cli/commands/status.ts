// PLACEHOLDER: replaced by the issue that implements `nugan status`.
export default async function status(_argv: string[]): Promise<number> {
  process.stderr.write('nugan status: not implemented yet\n');
  return 1;
}
