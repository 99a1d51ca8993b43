/**
 * NuHepMC files for the spec-checklist and HepMC3-reader tests, made through the real CLI
 * (`nugan simulate`, `nugan generate`), and a minimal independent parser of HepMC3 ASCII that the
 * checklist uses instead of nugan's own reader.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DEFAULT_ARCHITECTURE, initialWeights } from '../../src/gan/architecture.ts';
import { proxyInfo, saveModel } from '../../src/gan/model.ts';

/** Runs `nugan ARGS…` in-process with its output captured; throws on a non-zero exit. */
export async function nugan(...argv: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  let code: number;
  try {
    code = await main(argv);
  } finally {
    vi.restoreAllMocks();
  }
  if (code !== 0) throw new Error(`nugan ${argv.join(' ')} exited ${code}: ${stderr}`);
  return { stdout, stderr };
}

/** A small untrained generator saved as a model directory (what `nugan generate` reads). */
export async function tinyModel(dir: string, domain = 'nu-carbon'): Promise<string> {
  const architecture = { ...DEFAULT_ARCHITECTURE, blocks: 2, width: 16, latent: 4 };
  await saveModel(dir, initialWeights(architecture, 5), { format: 'nugan-model', version: 1, architecture, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'cpu', seed: 5, epoch: 1, select: 'map', domain });
  return dir;
}

export interface HepParticle {
  id: number;
  parent: number;
  pdg: number;
  p: [number, number, number, number];
  mass: number;
  status: number;
}

export interface HepEvent {
  number: number;
  line: number;
  units?: string[];
  weights: number[];
  attrs: Map<string, string>;
  vertices: { id: number; status: number; incoming: number[] }[];
  particles: HepParticle[];
}

export interface HepFile {
  version?: string;
  weightNames: string[];
  tools: string[][];
  run: Map<string, string>;
  events: HepEvent[];
  /** True when the run info came before the first event. */
  runInfoFirst: boolean;
  ended: boolean;
}

/** Parses HepMC3 ASCII as the HepMC3 paper describes it (enough for nugan's files; no escapes but \| and \n). */
export function parseHepMC3(file: string): HepFile {
  const out: HepFile = { weightNames: [], tools: [], run: new Map(), events: [], runInfoFirst: true, ended: false };
  let ev: HepEvent | undefined;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    if (line.startsWith('HepMC::Version')) out.version = line.split(' ')[1];
    if (line.startsWith('HepMC::Asciiv3-END')) out.ended = true;
    if (line.startsWith('HepMC::')) return;
    const tag = line[0];
    const rest = line.slice(2);
    const f = rest.split(' ');
    switch (tag) {
      case 'E':
        ev = { number: Number(f[0]), line: i + 1, weights: [], attrs: new Map(), vertices: [], particles: [] };
        out.events.push(ev);
        break;
      case 'U':
        ev!.units = f;
        break;
      case 'W':
        if (ev) ev.weights = f.map(Number);
        else out.weightNames = f;
        break;
      case 'T':
        if (ev) out.runInfoFirst = false;
        out.tools.push(rest.split('\\|'));
        break;
      case 'A': {
        if (ev) {
          const [, name, ...value] = f;
          ev.attrs.set(name!, value.join(' '));
        } else {
          const k = rest.indexOf(' ');
          out.run.set(rest.slice(0, k), rest.slice(k + 1));
        }
        break;
      }
      case 'V':
        ev!.vertices.push({ id: Number(f[0]), status: Number(f[1]), incoming: JSON.parse(f[2]!) as number[] });
        break;
      case 'P':
        ev!.particles.push({ id: Number(f[0]), parent: Number(f[1]), pdg: Number(f[2]), p: [Number(f[3]), Number(f[4]), Number(f[5]), Number(f[6])], mass: Number(f[7]), status: Number(f[8]) });
        break;
      default:
        throw new Error(`${path.basename(file)}:${i + 1}: unexpected line '${line.slice(0, 40)}'`);
    }
  });
  return out;
}
