/**
 * How to start this very nugan in another process (a local stage process, a SLURM job): the running
 * launcher (bin/nugan.mjs or the dist/nugan.mjs bundle), else bin/nugan.mjs. The SLURM executor lets
 * the pipeline or $NUGAN_SLURM_NUGAN override it for compute nodes.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function nuganLauncher(): string[] {
  const script = process.argv[1];
  if (script && /nugan[^/]*\.m?[jt]s$/.test(script)) return [process.execPath, resolve(script)];
  return [process.execPath, fileURLToPath(new URL('../../../bin/nugan.mjs', import.meta.url))];
}

/** `nugan exec-stage` reports progress as `progress {json}` lines on stderr. */
export const PROGRESS_LINE = /^progress (\{.*\})$/;
