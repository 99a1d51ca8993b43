// PLACEHOLDER: replaced by the issue that implements `nugan generate`.
export default async function generate(_argv: string[]): Promise<number> {
  process.stderr.write('nugan generate: not implemented yet\n');
  return 1;
}
