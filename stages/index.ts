/**
 * The registry of stage kinds: the composition root (src/cli) hands this list to the runner, which
 * itself imports nothing from stages/ (house rule 1).
 */
import type { StageKind } from '../src/contract/stage.ts';
import { commandStage } from './command.ts';
import { ingestStage } from './ingest.ts';
import { simulateStage } from './simulate.ts';
import { splitStage } from './split.ts';
import { trainStage } from './train.ts';
import { generateStage } from './generate.ts';
import { evaluateStage } from './evaluate.ts';
import { reportStage } from './report.ts';

export const stageKinds: readonly StageKind[] = [
  commandStage,
  ingestStage,
  simulateStage,
  splitStage,
  trainStage,
  generateStage,
  evaluateStage,
  reportStage,
];
