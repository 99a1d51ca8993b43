// PLACEHOLDER: replaced by the issue that implements `nugan ingest`.
export default async function ingest(_argv: string[]): Promise<number> {
  process.stderr.write('nugan ingest: not implemented yet\n');
  return 1;
}
