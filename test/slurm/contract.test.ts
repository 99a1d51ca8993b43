/**
 * The local and the SLURM executor pass the same executor suite (house rule 2). The SLURM half needs
 * a SLURM (see cluster.ts) and is skipped, saying how to enable it, where there is none.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { commandStage } from '../../stages/command.ts';
import { createLocalExecutor } from '../../src/runner/executors/local.ts';
import { createSlurmExecutor } from '../../src/runner/executors/slurm.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { executorSuite } from './executor-suite.ts';

executorSuite('local', () => createLocalExecutor({ kinds: [commandStage], slots: 2 }));

const cluster = startCluster();
const skip = 'skip' in cluster ? cluster.skip : undefined;
if (skip) {
  process.stderr.write(`${skip}\n`);
  describe('the slurm executor (shared executor suite)', () => {
    it(`is not tested: ${skip}`, () => {
      expect(skip).toBeDefined();
    });
  });
} else {
  // SLURM clients in this process (sbatch, squeue, scancel) find the test cluster through SLURM_CONF.
  Object.assign(process.env, (cluster as Cluster).env);
  process.env.PATH = `${process.env.PATH}:/usr/sbin:/sbin`;
  delete process.env.NUGAN_SLURM_NUGAN;
  afterAll(() => (cluster as Cluster).stop());
  executorSuite('slurm', (storeDir) =>
    createSlurmExecutor({ storeDir, pipelineFile: `${storeDir}/../pipe.yaml`, slurm: { poll: 0.3 }, kinds: [commandStage] }),
  );
}
