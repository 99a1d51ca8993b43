// PLACEHOLDER: replaced by the issue that implements the `split` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const splitStage: StageKind = {
  kind: 'split',
  description: 'split (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind split is not implemented yet');
  },
};
