/**
 * The batch scripts the SLURM executor submits: run `nugan exec-stage`, then record how it ended.
 * Every path in them (store, pipeline directory, job file, the nugan command) is shell-quoted: a store
 * under `/data/my study/` or with a `$` in its name works.
 */
import { shellEscape } from '../../shell-quote.ts';

const shQuote = (s: string): string => shellEscape(s, 'plain');

/** The batch script: run the stage, then record how it ended, atomically, as the very last act. */
export function batchScript(nugan: readonly string[], jobFile: string, slurmDir: string, key: string, workDir: string): string {
  return `#!/bin/sh
# Written by nugan's SLURM executor: runs one stage instance; see src/runner/executors/slurm.ts.
cd ${shQuote(workDir)} || exit 1
${nugan.map(shQuote).join(' ')} exec-stage --job ${shQuote(jobFile)}
rc=$?
marker=${shQuote(slurmDir)}"/${key}.$SLURM_JOB_ID.exit.json"
printf '{"jobId":"%s","exit":%d,"node":"%s","cudaVisibleDevices":"%s"}\\n' "$SLURM_JOB_ID" "$rc" "$(hostname)" "\${CUDA_VISIBLE_DEVICES-}" > "$marker.tmp" && mv "$marker.tmp" "$marker"
exit $rc
`;
}

/**
 * The batch script of a job array: task i runs line i+1 of `listFile` (a job spec path). Each task
 * writes its log and exit marker under the same names a single job would, with job id `A_i`.
 */
export function arrayScript(nugan: readonly string[], listFile: string, slurmDir: string, workDir: string): string {
  return `#!/bin/sh
# Written by nugan's SLURM executor: task $SLURM_ARRAY_TASK_ID of a job array of stage instances.
job=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shQuote(listFile)})
key=$(basename "$job" .job.json)
id="\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"
exec > ${shQuote(slurmDir)}"/$key.$id.log" 2>&1
cd ${shQuote(workDir)} || exit 1
${nugan.map(shQuote).join(' ')} exec-stage --job "$job"
rc=$?
marker=${shQuote(slurmDir)}"/$key.$id.exit.json"
printf '{"jobId":"%s","exit":%d,"node":"%s","cudaVisibleDevices":"%s"}\\n' "$id" "$rc" "$(hostname)" "\${CUDA_VISIBLE_DEVICES-}" > "$marker.tmp" && mv "$marker.tmp" "$marker"
exit $rc
`;
}
