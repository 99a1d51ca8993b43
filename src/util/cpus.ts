/**
 * How many CPU threads this process may use: SLURM's allocation (SLURM_CPUS_PER_TASK), else the
 * cgroup v2 quota (containers, systemd slices), else the OS's count (os.availableParallelism, which
 * already honours the affinity mask).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function availableThreads(): number {
  const slurm = Number(process.env.SLURM_CPUS_PER_TASK);
  if (Number.isInteger(slurm) && slurm > 0) return slurm;
  return Math.max(1, Math.min(os.availableParallelism(), cgroupCpuLimit() ?? Number.POSITIVE_INFINITY));
}

/** The cgroup v2 CPU quota (cpu.max: "quota period"), rounded down; undefined when unlimited. */
function cgroupCpuLimit(): number | undefined {
  try {
    const [quota, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (!quota || quota === 'max' || !period) return undefined;
    return Math.max(1, Math.floor(Number(quota) / Number(period)));
  } catch {
    return undefined;
  }
}
