// PLACEHOLDER: replaced by the issue that implements the `evaluate` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const evaluateStage: StageKind = {
  kind: 'evaluate',
  description: 'evaluate (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind evaluate is not implemented yet');
  },
};
