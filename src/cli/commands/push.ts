/** `nugan push [PIPELINE] [STAGE…]`: see src/cli/transfer.ts. */
import { transferCommand } from '../transfer.ts';

export default function pushCommand(argv: string[]): Promise<number> {
  return transferCommand('push', argv);
}
