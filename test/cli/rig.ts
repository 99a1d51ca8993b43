/**
 * Test rig for behaviour suites: a temp directory with a pipeline, a counter file that `command`
 * stages append to (so tests count invocations), and the real CLI run as a child process.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(repoRoot, 'bin', 'nugan.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Rig {
  readonly dir = mkdtempSync(join(tmpdir(), 'nugan-rig-'));
  readonly store = join(this.dir, 'store');
  readonly counter = join(this.dir, 'count.txt');

  write(rel: string, text: string): string {
    const p = join(this.dir, rel);
    writeFileSync(p, text);
    return p;
  }

  /** Stage ids that ran since the rig was made, in order (one line per invocation). */
  invocations(): string[] {
    return existsSync(this.counter) ? readFileSync(this.counter, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** A shell snippet that records one invocation of the stage. */
  count(): string {
    return `echo $NUGAN_STAGE_ID >> '${this.counter}'`;
  }

  run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((res) => {
      execFile(process.execPath, [bin, ...args], { cwd: this.dir, env: { ...process.env, NUGAN_SHUFFLE: '1', CI: '1', ...env } }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        res({ code, stdout, stderr });
      });
    });
  }

  spawn(args: string[], env: Record<string, string> = {}): ChildProcess {
    return spawn(process.execPath, [bin, ...args], { cwd: this.dir, env: { ...process.env, NUGAN_SHUFFLE: '1', CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** `run --json` parsed; fails the test with stderr when stdout is not one JSON document. */
  async runJson(args: string[], env: Record<string, string> = {}): Promise<{ code: number; doc: { stages: { id: string; state: string; key: string; outputs: Record<string, string> }[] }; stderr: string }> {
    const r = await this.run([...args, '--json'], env);
    let doc;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return { code: r.code, doc, stderr: r.stderr };
  }

  artifacts(): string[] {
    const d = join(this.store, 'artifacts');
    return existsSync(d) ? readdirSync(d) : [];
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const states = (doc: { stages: { id: string; state: string }[] }) => Object.fromEntries(doc.stages.map((s) => [s.id, s.state]));
