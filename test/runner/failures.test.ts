/** Failure reasons are data; `describeFailure` is the one place that words them. */
import { describe, expect, it } from 'vitest';
import { failedOutcome, failureOf } from '../../src/runner/executor.ts';
import { describeFailure, type Failure } from '../../src/runner/failures.ts';

describe('failures', () => {
  it('words each situation the way run prints it after the reason', () => {
    const cases: [Failure, string][] = [
      [{ reason: 'stage-failed', cause: 'outputs-missing', outputs: [{ name: 'a', path: 'a.txt' }] }, 'the stage did not create its declared output: a (a.txt)'],
      [{ reason: 'stage-failed', cause: 'job-exit', jobId: '12', id: 'bad', exit: 1, log: '/s/x.log' }, "slurm job 12 of 'bad' failed with exit code 1; log: /s/x.log"],
      [{ reason: 'internal-error', cause: 'process-died', how: 'was killed by SIGKILL' }, 'the stage process was killed by SIGKILL without reporting an outcome'],
      [{ reason: 'lost', jobId: '7', id: 'doomed', state: 'CANCELLED', log: 'l' }, "slurm job 7 of 'doomed' ended without finishing: CANCELLED; log: l"],
      [{ reason: 'upstream-failed', upstream: 'prep', upstreamState: 'skipped' }, "upstream 'prep' was skipped"],
      [{ reason: 'interrupted', when: 'not-started' }, 'not started: the run was interrupted'],
    ];
    for (const [f, text] of cases) expect(describeFailure(f)).toBe(text);
  });

  it('an outcome carries its failure and that failure worded, and gives the failure back unchanged', () => {
    const f: Failure = { reason: 'aborted', cause: 'job-cancelled', jobId: '9' };
    const o = failedOutcome(f, ['last line']);
    expect(o).toMatchObject({ ok: false, reason: 'aborted', message: 'interrupted; slurm job 9 cancelled', logTail: ['last line'] });
    expect(failureOf(o)).toEqual(f);
  });
});
