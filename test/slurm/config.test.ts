/**
 * The pipeline's `slurm:` block → sbatch flags, and the parsers of SLURM's client output. Pure: no
 * SLURM needed. (Unit tests of src/runner/executors/slurm/*; they live here with the other SLURM tests.)
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { parseSlurmConfig, sbatchFlags, settingsFor } from '../../src/runner/executors/slurm/config.ts';
import { parseSacct, parseSbatch, parseSqueue } from '../../src/runner/executors/slurm/commands.ts';

const FILE = '/p/pipe.yaml';

describe('the slurm: block', () => {
  it('turns top-level settings into sbatch flags and asks for the stage’s CPUs', () => {
    const cfg = parseSlurmConfig({ partition: 'cpu', account: 'nu', time: '01:00:00', mem: '2G', extra: ['--qos=short'] }, FILE);
    expect(sbatchFlags(settingsFor(cfg, 'split', 'split'), { cpus: 3, gpus: 0 })).toEqual([
      '--partition=cpu', '--account=nu', '--time=01:00:00', '--mem=2G', '--cpus-per-task=3', '--qos=short',
    ]);
  });

  it('gives a stage that needs GPUs --gres=gpu:N and others none', () => {
    const cfg = parseSlurmConfig({}, FILE);
    expect(sbatchFlags(settingsFor(cfg, 'train', 'train'), { cpus: 1, gpus: 1 })).toContain('--gres=gpu:1');
    expect(sbatchFlags(settingsFor(cfg, 'train', 'train'), { cpus: 1, gpus: 2 })).toContain('--gres=gpu:2');
    expect(sbatchFlags(settingsFor(cfg, 'split', 'split'), { cpus: 1, gpus: 0 }).some((f) => f.startsWith('--gres'))).toBe(false);
  });

  it('lets a stage id override its base id, which overrides its kind, which overrides the top level', () => {
    const cfg = parseSlurmConfig(
      {
        partition: 'cpu',
        time: '1:00:00',
        extra: '--qos=a',
        kinds: { train: { partition: 'gpu', gpus: 1, time: '12:00:00', extra: ['--constraint=a100'] } },
        stages: { tune: { time: '6:00:00' }, 'tune@nu-argon-10000': { mem: '8G', gres: 'gpu:a100:1' } },
      },
      FILE,
    );
    const s = settingsFor(cfg, 'tune@nu-argon-10000', 'train');
    expect(s).toMatchObject({ partition: 'gpu', time: '6:00:00', mem: '8G', gpus: 1, gres: 'gpu:a100:1' });
    expect(s.extra).toEqual(['--qos=a', '--constraint=a100']);
    expect(sbatchFlags(s, { cpus: 1, gpus: 0 })).toContain('--gres=gpu:a100:1');
    expect(settingsFor(cfg, 'tune@nu-argon-100000', 'train').mem).toBeUndefined();
    expect(settingsFor(cfg, 'base', 'train').time).toBe('12:00:00');
  });

  it('reads how jobs run nugan, the poll interval and the slots', () => {
    const cfg = parseSlurmConfig({ nugan: 'node /shared/nugan/dist/nugan.mjs', poll: 5, slots: 40 }, FILE);
    expect(cfg.nugan).toEqual(['node', '/shared/nugan/dist/nugan.mjs']);
    expect(cfg.pollSeconds).toBe(5);
    expect(cfg.slots).toBe(40);
    expect(cfg.arrays).toBe(false);
    expect(parseSlurmConfig({ arrays: true }, FILE).arrays).toBe(true);
    expect(parseSlurmConfig(undefined, FILE).pollSeconds).toBeGreaterThan(0);
  });

  it('rejects an unknown key or a bad value with an InputError naming the file and the key', () => {
    const bad = (raw: Record<string, unknown>): InputError => {
      try {
        parseSlurmConfig(raw, FILE);
      } catch (err) {
        return err as InputError;
      }
      throw new Error(`accepted ${JSON.stringify(raw)}`);
    };
    const e1 = bad({ partion: 'gpu' });
    expect(e1).toBeInstanceOf(InputError);
    expect(e1.render()).toBe(`${FILE}: slurm: unknown key 'partion' (known: partition, account, time, mem, cpus, gpus, gres, extra, nugan, poll, slots, arrays, kinds, stages)`);
    expect(bad({ kinds: { train: { gpus: -1 } } }).render()).toContain('slurm.kinds.train.gpus: expected an integer ≥ 0, got -1');
    expect(bad({ stages: { a: { time: '1 day' } } }).render()).toContain('slurm.stages.a.time');
    expect(bad({ extra: [1] }).render()).toContain('slurm.extra');
    expect(bad({ poll: 0 }).render()).toContain('slurm.poll');
    expect(bad({ arrays: 'yes' }).render()).toContain('slurm.arrays: expected true or false');
  });
});

describe('SLURM client output', () => {
  it('takes the job id from sbatch --parsable with or without a cluster name', () => {
    expect(parseSbatch('1234\n')).toBe('1234');
    expect(parseSbatch('1234;cluster-a\n')).toBe('1234');
    expect(() => parseSbatch('sbatch: error: Batch job submission failed')).toThrow(/unexpected output/);
  });

  it('tells live from finished jobs in one squeue listing', () => {
    const jobs = parseSqueue('12|PENDING|Priority\n13|RUNNING|None\n14|COMPLETED|None\n15|CANCELLED by 0|None\n\n');
    expect(jobs.map((j) => [j.jobId, j.state, j.terminal])).toEqual([
      ['12', 'PENDING', false],
      ['13', 'RUNNING', false],
      ['14', 'COMPLETED', true],
      ['15', 'CANCELLED', true],
    ]);
    expect(jobs[0]!.detail).toBe('Priority');
  });

  it('reads state and exit code from sacct', () => {
    const jobs = parseSacct('20|TIMEOUT|0:15\n21|OUT_OF_MEMORY|0:125\n22|RUNNING|0:0\n');
    expect(jobs.map((j) => [j.jobId, j.state, j.detail, j.terminal])).toEqual([
      ['20', 'TIMEOUT', '0:15', true],
      ['21', 'OUT_OF_MEMORY', '0:125', true],
      ['22', 'RUNNING', '0:0', false],
    ]);
  });
});
