// PLACEHOLDER: replaced by the issue that implements the `report` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const reportStage: StageKind = {
  kind: 'report',
  description: 'report (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind report is not implemented yet');
  },
};
