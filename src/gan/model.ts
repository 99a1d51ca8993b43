/**
 * The conditional GAN's architecture (DESIGN.md §1) and its files.
 *
 * G(z, E'_nu) → (E'_mu, theta') and D((E'_mu, theta'), E'_nu) → P(real) are stacks of blocks
 * Dense → LayerNorm → LeakyReLU → Dropout → GaussianNoise (+ skip from the previous block), with
 * E'_nu concatenated into every block's input and into the output layer.
 *
 * A model directory holds:
 *   model.json + weights.bin                 the generator, tfjs LayersModel (tf.loadLayersModel)
 *   discriminator/model.json + weights.bin   the discriminator (sigmoid output), same format
 *   nugan-model.json                         proxy definition, E range, architecture, backend, seed, epoch
 * The engine (engine.ts) and the tfjs graph written here compute the same function; test/gan checks it.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../contract/stage.ts';
import { E_MAX, E_MIN, M_MU, OMEGA_MIN } from '../physics/constants.ts';
import { Rng } from '../physics/rng.ts';
import { LN_EPS, Mlp, type NetSpec, type Normalisation } from './engine.ts';

export interface Architecture {
  blocks: number;
  width: number;
  latent: number;
  dropout: number;
  /** Std of the Gaussian noise layer after each block (training only); 0 disables it. */
  noise: number;
  normalisation: Normalisation;
  leak: number;
  skip: boolean;
  /** Discriminator width and blocks, when different from the generator's. */
  d_width?: number;
  d_blocks?: number;
}

/** The default: 4 blocks of 128 — G has ~67k parameters (270 kB of float32), well under 1 MB. */
export const DEFAULT_ARCHITECTURE: Architecture = { blocks: 4, width: 128, latent: 8, dropout: 0.1, noise: 0, normalisation: 'layer', leak: 0.2, skip: true };

export function generatorSpec(a: Architecture): NetSpec {
  return { inputDim: a.latent, blocks: a.blocks, width: a.width, outDim: 2, outAct: 'tanh', normalisation: a.normalisation, leak: a.leak, dropout: a.dropout, noise: a.noise, skip: a.skip };
}

export function discriminatorSpec(a: Architecture): NetSpec {
  return { inputDim: 2, blocks: a.d_blocks ?? a.blocks, width: a.d_width ?? a.width, outDim: 1, outAct: 'linear', normalisation: a.normalisation, leak: a.leak, dropout: a.dropout, noise: a.noise, skip: a.skip };
}

/** A generator and a discriminator, randomly initialised from `seed`. */
export function createGan(a: Architecture, seed: number): { G: Mlp; D: Mlp } {
  const rng = new Rng(seed, 0x6a4);
  return { G: new Mlp(generatorSpec(a), 'g', rng), D: new Mlp(discriminatorSpec(a), 'd', rng) };
}

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
  };
  /** Range of E_nu (GeV) seen in training. */
  E_range: [number, number];
  backend: string;
  seed: number;
  /** Epoch of the kept checkpoint and the metric that chose it. */
  epoch: number;
  select: string;
  [key: string]: unknown;
}

export const PROXY_DEFINITION =
  "E'_nu = 2(E_nu-E_min)/(E_max-E_min)-1; E'_mu = 2 sqrt(1-(E_mu-m_mu)/(E_nu-omega_min-m_mu))-1; theta' = 2 sqrt(theta/pi)-1 (GeV, rad)";

export function proxyInfo(): ModelInfo['proxy'] {
  return { definition: PROXY_DEFINITION, m_mu: M_MU, E_min: E_MIN, E_max: E_MAX, omega_min: OMEGA_MIN };
}

type Inbound = [string, number, number, Record<string, never>];
interface LayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: Inbound[][];
}

/** The Keras functional-model topology of one network (what tfjs's model.json calls modelTopology). */
export function topology(net: Mlp, name: string, mainInput: string): Record<string, unknown> {
  const s = net.spec;
  const p = net.prefix;
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
export function toLayersModel(net: Mlp, name: string, mainInput: string): { json: Record<string, unknown>; weights: Uint8Array } {
  const total = net.params.reduce((a, q) => a + q.value.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const q of net.params) {
    buf.set(q.value, off);
    off += q.value.length;
  }
  return {
    json: {
      format: 'layers-model',
      generatedBy: 'nugan',
      convertedBy: null,
      modelTopology: topology(net, name, mainInput),
      weightsManifest: [{ paths: ['weights.bin'], weights: net.params.map((q) => ({ name: q.name, shape: q.shape, dtype: 'float32' })) }],
    },
    weights: new Uint8Array(buf.buffer),
  };
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** Writes G, D and nugan-model.json into `dir` (created), each file atomically. */
export async function saveModel(dir: string, G: Mlp, D: Mlp, info: ModelInfo): Promise<void> {
  await mkdir(path.join(dir, 'discriminator'), { recursive: true });
  const g = toLayersModel(G, 'generator', 'z');
  const d = toLayersModel(D, 'discriminator', 'x');
  await writeAtomic(path.join(dir, 'weights.bin'), g.weights);
  await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(g.json));
  await writeAtomic(path.join(dir, 'discriminator', 'weights.bin'), d.weights);
  await writeAtomic(path.join(dir, 'discriminator', 'model.json'), JSON.stringify(d.json));
  await writeAtomic(path.join(dir, 'nugan-model.json'), JSON.stringify(info, null, 2) + '\n');
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

/** Loads the weights of one tfjs model file pair into `net` (names and shapes must match). */
async function loadWeightsInto(net: Mlp, jsonFile: string): Promise<void> {
  const json = JSON.parse(await readFile(jsonFile, 'utf8')) as { weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] };
  const byName = new Map(net.params.map((q) => [q.name, q]));
  for (const group of json.weightsManifest) {
    const bytes = Buffer.concat(await Promise.all(group.paths.map((p) => readFile(path.join(path.dirname(jsonFile), p)))));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let off = 0;
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      const q = byName.get(w.name);
      if (!q || q.value.length !== size) throw new InputError(`weight '${w.name}' does not match the architecture in nugan-model.json`, jsonFile);
      q.value.set(data.subarray(off, off + size));
      byName.delete(w.name);
      off += size;
    }
  }
  if (byName.size) throw new InputError(`missing weights: ${[...byName.keys()].join(', ')}`, jsonFile);
}

/** Loads G and D of a model directory into engine networks. */
export async function loadModel(dir: string): Promise<{ G: Mlp; D: Mlp; info: ModelInfo }> {
  const info = await readModelInfo(dir);
  const { G, D } = createGan(info.architecture, info.seed);
  await loadWeightsInto(G, path.join(dir, 'model.json'));
  await loadWeightsInto(D, path.join(dir, 'discriminator', 'model.json'));
  return { G, D, info };
}

/** Removes a directory tree (best effort). */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
