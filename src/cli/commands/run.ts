// PLACEHOLDER: replaced by the issue that implements `nugan run`.
export default async function runCommand(_argv: string[]): Promise<number> {
  process.stderr.write('nugan run: not implemented yet\n');
  return 1;
}
