// PLACEHOLDER: replaced by the issue that implements the `simulate` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const simulateStage: StageKind = {
  kind: 'simulate',
  description: 'simulate (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind simulate is not implemented yet');
  },
};
