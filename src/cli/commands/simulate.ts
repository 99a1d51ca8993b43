// PLACEHOLDER: replaced by the issue that implements `nugan simulate`.
export default async function simulate(_argv: string[]): Promise<number> {
  process.stderr.write('nugan simulate: not implemented yet\n');
  return 1;
}
