// PLACEHOLDER: replaced by the issue that implements `nugan inspect`.
export default async function inspect(_argv: string[]): Promise<number> {
  process.stderr.write('nugan inspect: not implemented yet\n');
  return 1;
}
