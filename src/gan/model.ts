/**
 * Model directories: the trained networks as tfjs LayersModels plus nugan's own metadata.
 *
 *   model.json + weights.bin                 the generator (tf.loadLayersModel in Node or a browser)
 *   discriminator/model.json + weights.bin   the discriminator (sigmoid output), same format
 *   nugan-model.json                         architecture, proxies, E_nu range, engine, seed, epoch
 *
 * The Keras graph written here (topology) computes what the engines compute (architecture.ts);
 * test/gan/model.test.ts checks that tfjs predicts the engines' outputs from these files.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../contract/stage.ts';
import { E_MAX, E_MIN, M_MU, OMEGA_MIN } from '../physics/constants.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { ganLayouts, LN_EPS, type Architecture, type GanWeights, type NetLayout } from './architecture.ts';

export { DEFAULT_ARCHITECTURE, type Architecture } from './architecture.ts';

/** What nugan-model.json records next to the tfjs files. */
export interface ModelInfo {
  format: 'nugan-model';
  version: 1;
  architecture: Architecture;
  proxy: {
    definition: string;
    m_mu: number;
    E_min: number;
    E_max: number;
    omega_min: number;
    /** The exact inverse maps (absent in models saved before export existed). */
    inverse?: string;
  };
  /** The generator's latent input: z ~ N(0, 1) in every component. */
  latent?: { distribution: 'normal'; mean: 0; std: 1; size: number };
  /** Units of every physical quantity (written by saveModel). */
  units?: { energy: 'GeV'; angle: 'rad' };
  /** Range of E_nu (GeV) seen in training. */
  E_range: [number, number];
  /** What trained it (engine and device), for provenance. */
  backend: string;
  seed: number;
  /** Epoch of the kept weights and the metric that chose it. */
  epoch: number;
  select: string;
  [key: string]: unknown;
}

export const PROXY_DEFINITION =
  "E'_nu = 2(E_nu-E_min)/(E_max-E_min)-1; E'_mu = 2 sqrt(1-(E_mu-m_mu)/(E_nu-omega_min-m_mu))-1; theta' = 2 sqrt(theta/pi)-1 (GeV, rad)";

/** The inverse maps of PROXY_DEFINITION (docs/formats.md §4): what a user applies to G's output. */
export const PROXY_INVERSE =
  "E_nu = E_min+(E'_nu+1)(E_max-E_min)/2; E_mu = m_mu+(E_nu-omega_min-m_mu)(1-((E'_mu+1)/2)^2); theta = pi((theta'+1)/2)^2 (GeV, rad)";

export function proxyInfo(): ModelInfo['proxy'] {
  return { definition: PROXY_DEFINITION, inverse: PROXY_INVERSE, m_mu: M_MU, E_min: E_MIN, E_max: E_MAX, omega_min: OMEGA_MIN };
}

type Inbound = [string, number, number, Record<string, never>];
interface LayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: Inbound[][];
}

/** The Keras functional-model topology of one network (what tfjs's model.json calls modelTopology). */
export function topology(layout: NetLayout, name: string, mainInput: string): Record<string, unknown> {
  const s = layout.spec;
  const p = layout.prefix;
  const layers: LayerJson[] = [];
  const node = (n: string): Inbound => [n, 0, 0, {}];
  const add = (class_name: string, lname: string, config: Record<string, unknown>, inputs: string[]) => {
    layers.push({ class_name, name: lname, config: { name: lname, trainable: true, dtype: 'float32', ...config }, inbound_nodes: inputs.length ? [inputs.map(node)] : [] });
    return lname;
  };
  add('InputLayer', mainInput, { batch_input_shape: [null, s.inputDim], sparse: false }, []);
  add('InputLayer', 'enu', { batch_input_shape: [null, 1], sparse: false }, []);
  const denseCfg = (units: number, activation: string) => ({ units, activation, use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } });
  let prev = mainInput;
  for (let b = 0; b < s.blocks; b++) {
    const cat = add('Concatenate', `${p}_concat_${b}`, { axis: -1 }, [prev, 'enu']);
    let x = add('Dense', `${p}_dense_${b}`, denseCfg(s.width, 'linear'), [cat]);
    if (s.normalisation === 'layer') x = add('LayerNormalization', `${p}_norm_${b}`, { axis: -1, epsilon: LN_EPS, center: true, scale: true }, [x]);
    x = add('LeakyReLU', `${p}_act_${b}`, { alpha: s.leak }, [x]);
    if (s.dropout > 0) x = add('Dropout', `${p}_drop_${b}`, { rate: s.dropout }, [x]);
    if (s.noise > 0) x = add('GaussianNoise', `${p}_noise_${b}`, { stddev: s.noise }, [x]);
    if (s.skip && b > 0) x = add('Add', `${p}_skip_${b}`, {}, [x, prev]);
    prev = x;
  }
  const cat = add('Concatenate', `${p}_concat_out`, { axis: -1 }, [prev, 'enu']);
  add('Dense', `${p}_out`, denseCfg(s.outDim, s.outAct === 'tanh' ? 'tanh' : 'sigmoid'), [cat]);
  return {
    class_name: 'Model',
    config: { name, layers, input_layers: [[mainInput, 0, 0], ['enu', 0, 0]], output_layers: [[`${p}_out`, 0, 0]] },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

/** model.json (tfjs LayersModel format) and the weights.bin bytes of one network. */
export function toLayersModel(layout: NetLayout, weights: Float32Array, name: string, mainInput: string): { json: Record<string, unknown>; weights: Uint8Array } {
  if (weights.length !== layout.size) throw new RangeError(`${name}: ${weights.length} weights for a layout of ${layout.size}`);
  return {
    json: {
      format: 'layers-model',
      generatedBy: 'nugan',
      convertedBy: null,
      modelTopology: topology(layout, name, mainInput),
      weightsManifest: [{ paths: ['weights.bin'], weights: layout.params.map((q) => ({ name: q.name, shape: q.shape, dtype: 'float32' })) }],
    },
    // weights.bin is the layout's flat array, byte for byte (little-endian float32).
    weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
  };
}

/** Writes G, D and nugan-model.json into `dir` (created), each file atomically. */
export async function saveModel(dir: string, weights: GanWeights, info: ModelInfo): Promise<void> {
  const layouts = ganLayouts(info.architecture);
  await mkdir(path.join(dir, 'discriminator'), { recursive: true });
  const g = toLayersModel(layouts.G, weights.G, 'generator', 'z');
  const d = toLayersModel(layouts.D, weights.D, 'discriminator', 'x');
  await writeFileAtomic(path.join(dir, 'weights.bin'), g.weights);
  await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(g.json));
  await writeFileAtomic(path.join(dir, 'discriminator', 'weights.bin'), d.weights);
  await writeFileAtomic(path.join(dir, 'discriminator', 'model.json'), JSON.stringify(d.json));
  const latent = { distribution: 'normal' as const, mean: 0 as const, std: 1 as const, size: info.architecture.latent };
  // The latent distribution and the units are facts of every nugan model, not choices of the caller:
  // written here so that each nugan-model.json states them (and the proxies' inverse, proxyInfo()).
  const units = { energy: 'GeV' as const, angle: 'rad' as const };
  await writeFileAtomic(path.join(dir, 'nugan-model.json'), JSON.stringify({ ...info, latent, units }, null, 2) + '\n');
}

export async function readModelInfo(dir: string): Promise<ModelInfo> {
  const file = path.join(dir, 'nugan-model.json');
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    throw new InputError('not a nugan model directory: nugan-model.json is missing', file);
  }
  let info: ModelInfo;
  try {
    info = JSON.parse(raw) as ModelInfo;
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, file);
  }
  if (info.format !== 'nugan-model' || typeof info.architecture !== 'object') throw new InputError("expected format 'nugan-model' with an architecture", file);
  return info;
}

/** Reads one tfjs model file pair into a flat array of `layout` (names and shapes must match). */
async function readWeights(layout: NetLayout, jsonFile: string): Promise<Float32Array> {
  let json: { weightsManifest?: { paths: string[]; weights: { name: string; shape: number[] }[] }[] };
  try {
    json = JSON.parse(await readFile(jsonFile, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read the model: ${(err as Error).message}`, jsonFile);
  }
  const out = new Float32Array(layout.size);
  const byName = new Map(layout.params.map((q) => [q.name, q]));
  for (const group of json.weightsManifest ?? []) {
    const bytes = Buffer.concat(await Promise.all(group.paths.map((p) => readFile(path.join(path.dirname(jsonFile), p)))));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let off = 0;
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      const q = byName.get(w.name);
      if (!q || q.size !== size) throw new InputError(`weight '${w.name}' does not match the architecture in nugan-model.json`, jsonFile);
      if (off + size > data.length) throw new InputError(`weights file too short: '${w.name}' needs floats ${off}…${off + size}, the file has ${data.length}`, jsonFile);
      out.set(data.subarray(off, off + size), q.offset);
      byName.delete(w.name);
      off += size;
    }
  }
  if (byName.size) throw new InputError(`missing weights: ${[...byName.keys()].join(', ')}`, jsonFile);
  return out;
}

/** The weights and metadata of a model directory. */
export async function loadModel(dir: string): Promise<{ weights: GanWeights; info: ModelInfo }> {
  const info = await readModelInfo(dir);
  const layouts = ganLayouts(info.architecture);
  const G = await readWeights(layouts.G, path.join(dir, 'model.json'));
  const D = await readWeights(layouts.D, path.join(dir, 'discriminator', 'model.json'));
  return { weights: { G, D }, info };
}
