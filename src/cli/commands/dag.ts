// PLACEHOLDER: replaced by the issue that implements `nugan dag`.
export default async function dag(_argv: string[]): Promise<number> {
  process.stderr.write('nugan dag: not implemented yet\n');
  return 1;
}
