/** `nugan pull [PIPELINE] [STAGE…]`: see src/cli/transfer.ts. */
import { transferCommand } from '../transfer.ts';

export default function pullCommand(argv: string[]): Promise<number> {
  return transferCommand('pull', argv);
}
