/** Line-by-line reading of text event files (CSV, NUANCE, NuHepMC), with line numbers for error messages. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../util/errors.ts';

/** Lines of a text file with their 1-based numbers, streamed. */
export async function* textLines(file: string): AsyncGenerator<{ line: string; no: number }> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => {
      stream!.once('open', () => resolve());
      stream!.once('error', reject);
    });
  } catch (e) {
    throw new InputError(`cannot open: ${(e as Error).message}`, file);
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let no = 0;
  try {
    for await (const line of rl) {
      no++;
      yield { line, no };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}
