// PLACEHOLDER: replaced by the issue that implements the `train` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const trainStage: StageKind = {
  kind: 'train',
  description: 'train (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind train is not implemented yet');
  },
};
