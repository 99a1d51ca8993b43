// PLACEHOLDER: replaced by the issue that implements `nugan evaluate`.
export default async function evaluate(_argv: string[]): Promise<number> {
  process.stderr.write('nugan evaluate: not implemented yet\n');
  return 1;
}
