// PLACEHOLDER: replaced by the issue that implements the `command` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const commandStage: StageKind = {
  kind: 'command',
  description: 'command (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind command is not implemented yet');
  },
};
