// PLACEHOLDER: replaced by the issue that implements the `ingest` stage kind.
import type { StageKind } from '../src/contract/stage.ts';

export const ingestStage: StageKind = {
  kind: 'ingest',
  description: 'ingest (not implemented yet)',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run() {
    throw new Error('stage kind ingest is not implemented yet');
  },
};
