/**
 * Test harness: a private single-node SLURM (scripts/slurm/start.sh) for the SLURM tests, or the one
 * CI started (NUGAN_SLURM_DIR, set by scripts/ci-slurm.sh). Daemons this harness starts it also
 * stops, by the pids start.sh recorded (scripts/slurm/stop.sh), never by name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export const HOW_TO_ENABLE =
  'SLURM tests skipped: they need root and the Debian packages slurm-wlm and munge. Enable them with ' +
  '`sudo scripts/ci-slurm.sh` (installs and starts a one-node test cluster; then `export NUGAN_SLURM_DIR=…` as it prints) ' +
  'or just install the packages and run the tests as root (the tests then start and stop their own cluster)';

export interface Cluster {
  readonly dir: string;
  /** Environment for SLURM clients (SLURM_CONF). */
  readonly env: Record<string, string>;
  /** Stops the daemons if this harness started them. */
  stop(): void;
}

function onPath(bin: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => d && existsSync(join(d, bin)));
}

function envFrom(dir: string): Record<string, string> {
  return { SLURM_CONF: join(dir, 'slurm.conf'), NUGAN_SLURM_DIR: dir };
}

/**
 * A running cluster, or the reason the SLURM tests are skipped. Where SLURM is required
 * (NUGAN_REQUIRE_SLURM=1, set by .ci/run once it has installed the packages as root) a reason to skip
 * is an error instead, so CI cannot go green by silently skipping.
 */
export function startCluster(): Cluster | { skip: string } {
  const outcome = tryStartCluster();
  if ('skip' in outcome && process.env.NUGAN_REQUIRE_SLURM === '1') {
    throw new Error(`NUGAN_REQUIRE_SLURM=1 but ${outcome.skip}`);
  }
  return outcome;
}

function tryStartCluster(): Cluster | { skip: string } {
  const given = process.env.NUGAN_SLURM_DIR;
  if (given) {
    if (!existsSync(join(given, 'slurm.conf'))) return { skip: `NUGAN_SLURM_DIR=${given} has no slurm.conf. ${HOW_TO_ENABLE}` };
    return { dir: given, env: envFrom(given), stop() {} };
  }
  const missing = ['sbatch', 'squeue', 'scancel', 'slurmctld', 'slurmd', 'munged'].filter((b) => !onPath(b));
  if (missing.length) return { skip: `${HOW_TO_ENABLE} (missing: ${missing.join(', ')})` };
  if (process.getuid?.() !== 0) return { skip: `${HOW_TO_ENABLE} (not running as root)` };
  const dir = mkdtempSync(join(tmpdir(), 'nugan-slurm-test-'));
  // Ports away from the defaults, so a site or CI cluster on 6817/6818 is left alone.
  const base = 20000 + (process.pid % 20000);
  const stop = () => {
    try {
      execFileSync(join(repoRoot, 'scripts/slurm/stop.sh'), [dir], { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    execFileSync(join(repoRoot, 'scripts/slurm/start.sh'), [dir], {
      env: { ...process.env, NUGAN_SLURM_CTLD_PORT: String(base), NUGAN_SLURM_SLURMD_PORT: String(base + 1), PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (err) {
    const log = (() => {
      try {
        return readFileSync(join(dir, 'log/start.log'), 'utf8');
      } catch {
        return '';
      }
    })();
    stop();
    return { skip: `SLURM tests skipped: the test cluster did not start (${(err as Error).message.split('\n')[0]} ${log.trim()})` };
  }
  return { dir, env: envFrom(dir), stop };
}
