// PLACEHOLDER: replaced by the issue that implements `nugan gc`.
export default async function gc(_argv: string[]): Promise<number> {
  process.stderr.write('nugan gc: not implemented yet\n');
  return 1;
}
