/**
 * Python clients for the export tests (onnxruntime, onnx, numpy, Keras). They are optional: a test
 * that needs modules this machine's Python lacks is skipped and says what to install. NUGAN_PYTHON
 * names the interpreter (default python3).
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.NUGAN_PYTHON ?? 'python3';

/** Quiet TensorFlow's start-up chatter on stderr. */
export const PYTHON_ENV = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONDONTWRITEBYTECODE: '1' };

/**
 * Why a test needing `modules` must be skipped here, or undefined when Python has them all. Looks
 * them up without importing them (importing TensorFlow alone takes seconds), so a module that is
 * installed but broken fails its test rather than skipping it.
 */
export function missingPython(modules: readonly string[], install: string): string | undefined {
  const code = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)`;
  const r = spawnSync(PYTHON, ['-c', code, ...modules], { encoding: 'utf8', env: PYTHON_ENV, timeout: 60_000 });
  if (r.status === 0) return undefined;
  return `skipped: ${PYTHON} has no ${modules.join(', ')}; ${install} to run it`;
}

/** Runs a Python program with `args`; returns its stdout, or throws with its stderr. */
export function runPython(code: string, args: readonly string[] = [], cwd?: string): string {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', env: PYTHON_ENV, timeout: 300_000, maxBuffer: 64 << 20, ...(cwd ? { cwd } : {}) });
  if (r.status !== 0) throw new Error(`${PYTHON} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
