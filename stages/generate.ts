// PLACEHOLDER: replaced by the issue that implements the `generate` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const generateStage: StageKind = {
  kind: 'generate',
  description: 'generate (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind generate is not implemented yet');
  },
};
