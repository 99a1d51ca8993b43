/**
 * A trained generator as an ONNX model, for onnxruntime (Python, C++, C#, JavaScript), ROOT's SOFIE
 * and anything else that reads ONNX.
 *
 * Two variants of one graph:
 *   proxy     inputs z [N, latent] and enu_proxy [N, 1] (E'_nu); output proxies [N, 2] = (E'_mu, theta')
 *   physical  inputs z [N, latent] and E_nu [N, 1] (GeV); output muon [N, 2] = (E_mu [GeV], theta [rad]),
 *             the proxy map of E_nu and the inverse maps of the outputs (docs/formats.md §4) inside the graph
 *
 * The network is the inference graph of docs/gan.md §1: per block Concat([h, E'_nu]) → Gemm →
 * LayerNormalization → LeakyRelu (+ h, the skip), then Concat → Gemm → Tanh. Dropout and Gaussian
 * noise act only in training and are left out. Weights are the flat Keras-order layout
 * (architecture.ts) cut into one initializer per Keras weight.
 *
 * Opset 17 (IR version 8), the first opset with LayerNormalization: its definition (mean and biased
 * variance over the last axis, epsilon inside the square root, then scale and bias) is exactly
 * Keras's and nugan's, so each block's norm is one node that runtimes fuse, rather than the eight
 * elementwise and reduction nodes of a decomposition whose ReduceMean would change form at opset 18.
 * onnxruntime has run opset 17 since 1.12 (2022) and SOFIE parses LayerNormalization; a runtime older
 * than that is the one case a decomposition would serve.
 */
import { inputWidth, LN_EPS, netLayout, generatorSpec, type LayerSlots, type NetLayout } from '../architecture.ts';
import type { ModelInfo } from '../model.ts';
import { NUGAN_VERSION } from '../../version.ts';
import { modelDescription, proxyConstants } from './metadata.ts';
import { modelBytes, type Initializer, type NodeSpec, type ValueSpec } from './onnx-proto.ts';

export type OnnxVariant = 'proxy' | 'physical';

export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;
/** Version of the exported graph's interface (inputs, outputs, metadata keys): ModelProto.model_version. */
const ONNX_GRAPH_VERSION = 1;

/** Graph inputs and outputs of a variant, with the text that documents them. */
export function onnxSignature(variant: OnnxVariant, latent: number): { inputs: ValueSpec[]; outputs: ValueSpec[] } {
  const z: ValueSpec = { name: 'z', dims: ['N', latent], doc: `latent vectors, z ~ N(0, 1), ${latent} independent components per event` };
  if (variant === 'proxy') {
    return {
      inputs: [z, { name: 'enu_proxy', dims: ['N', 1], doc: "E'_nu = 2(E_nu - E_min)/(E_max - E_min) - 1, the neutrino energy's proxy" }],
      outputs: [{ name: 'proxies', dims: ['N', 2], doc: "(E'_mu, theta') in (-1, 1); invert with proxy_inverse" }],
    };
  }
  return {
    inputs: [z, { name: 'E_nu', dims: ['N', 1], doc: 'neutrino energy in GeV' }],
    outputs: [{ name: 'muon', dims: ['N', 2], doc: '(E_mu, theta): total muon energy in GeV, angle to the neutrino in radians' }],
  };
}

/** Builds nodes and initializers in order; names are unique by construction. */
class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Initializer[] = [];

  constant(name: string, dims: number[], values: Float32Array | number[]): string {
    this.initializers.push({ name, dims, values: values instanceof Float32Array ? values : Float32Array.from(values) });
    return name;
  }

  node(op: string, inputs: string[], output: string, attributes?: NodeSpec['attributes']): string {
    this.nodes.push({ op, inputs, outputs: [output], name: output, ...(attributes ? { attributes } : {}) });
    return output;
  }
}

/**
 * The weights of one layer as initializers named after the Keras weights, `/` written `_`
 * (`g_dense_0_kernel`): SOFIE turns tensor names into C++ identifiers.
 */
function layerWeights(g: GraphBuilder, weights: Float32Array, s: LayerSlots): { kernel: string; bias: string; gamma?: string; beta?: string } {
  const take = (slot: LayerSlots['kernel']) => g.constant(slot.name.replace('/', '_'), [...slot.shape], weights.slice(slot.offset, slot.offset + slot.size));
  return { kernel: take(s.kernel), bias: take(s.bias), ...(s.gamma ? { gamma: take(s.gamma), beta: take(s.beta!) } : {}) };
}

/** The generator's network from `enu` (E'_nu) and `z` to the tanh output; returns its name. */
function generatorNodes(g: GraphBuilder, layout: NetLayout, weights: Float32Array, enu: string, output: string): string {
  const s = layout.spec;
  const p = layout.prefix;
  let h = 'z';
  for (let b = 0; b < s.blocks; b++) {
    const slots = layout.blocks[b]!;
    if (slots.fanIn !== inputWidth(s, b) + 1) throw new RangeError(`block ${b}: fan-in ${slots.fanIn} for input width ${inputWidth(s, b)}`);
    const w = layerWeights(g, weights, slots);
    const cat = g.node('Concat', [h, enu], `${p}_concat_${b}`, [{ name: 'axis', int: 1 }]);
    let x = g.node('Gemm', [cat, w.kernel, w.bias], `${p}_dense_${b}`);
    if (w.gamma) x = g.node('LayerNormalization', [x, w.gamma, w.beta!], `${p}_norm_${b}`, [{ name: 'axis', int: -1 }, { name: 'epsilon', float: LN_EPS }]);
    x = g.node('LeakyRelu', [x], `${p}_act_${b}`, [{ name: 'alpha', float: s.leak }]);
    if (s.skip && b > 0) x = g.node('Add', [x, h], `${p}_skip_${b}`);
    h = x;
  }
  const w = layerWeights(g, weights, layout.out);
  const cat = g.node('Concat', [h, enu], `${p}_concat_out`, [{ name: 'axis', int: 1 }]);
  const pre = g.node('Gemm', [cat, w.kernel, w.bias], `${p}_out`);
  return g.node('Tanh', [pre], output);
}

/**
 * The ONNX model (the bytes of a `.onnx` file) of the generator in `weights` (flat, Keras order)
 * described by `info` (its nugan-model.json).
 */
export function generatorToOnnx(info: ModelInfo, weights: Float32Array, variant: OnnxVariant): Uint8Array {
  const layout = netLayout(generatorSpec(info.architecture), 'g');
  if (weights.length !== layout.size) throw new RangeError(`generator: ${weights.length} weights for a layout of ${layout.size}`);
  const { inputs, outputs } = onnxSignature(variant, info.architecture.latent);
  const g = new GraphBuilder();
  if (variant === 'proxy') generatorNodes(g, layout, weights, 'enu_proxy', 'proxies');
  else {
    const c = proxyConstants(info);
    const k = (name: string, value: number) => g.constant(name, [1], [value]);
    // E'_nu = (E_nu − E_min)·(2/(E_max − E_min)) − 1, in the order nugan evaluates it.
    const shifted = g.node('Sub', ['E_nu', k('E_min', c.E_min)], 'enu_shifted');
    const scaled = g.node('Mul', [shifted, k('two_over_E_span', 2 / (c.E_max - c.E_min))], 'enu_scaled');
    const enu = g.node('Sub', [scaled, k('one', 1)], 'enu_proxy');
    const proxies = generatorNodes(g, layout, weights, enu, 'proxies');
    g.nodes.push({ op: 'Split', inputs: [proxies], outputs: ['emu_proxy', 'theta_proxy'], name: 'split_proxies', attributes: [{ name: 'axis', int: 1 }] });
    // h = (p + 1)/2 for each output, then E_mu = m_mu + (E_nu − ω_min − m_mu)(1 − h_μ²) and θ = π h_θ².
    const half = k('half', 0.5);
    const hMu = g.node('Add', [g.node('Mul', ['emu_proxy', half], 'emu_half'), half], 'h_mu');
    const hTh = g.node('Add', [g.node('Mul', ['theta_proxy', half], 'theta_half'), half], 'h_theta');
    const range = g.node('Sub', [g.node('Sub', ['E_nu', k('omega_min', c.omega_min)], 'enu_minus_omega'), k('m_mu', c.m_mu)], 'emu_range');
    const keep = g.node('Sub', ['one', g.node('Mul', [hMu, hMu], 'h_mu_sq')], 'emu_fraction');
    const E_mu = g.node('Add', [g.node('Mul', [range, keep], 'emu_above_mass'), 'm_mu'], 'E_mu');
    const theta = g.node('Mul', [g.node('Mul', [hTh, hTh], 'h_theta_sq'), k('pi', Math.PI)], 'theta');
    g.node('Concat', [E_mu, theta], 'muon', [{ name: 'axis', int: 1 }]);
  }
  const describe = (v: ValueSpec) => `${v.name} [${v.dims.join(', ')}] float32: ${v.doc}`;
  const metadata: [string, string][] = [
    ['inputs', inputs.map(describe).join('; ')],
    ['outputs', outputs.map(describe).join('; ')],
    ...modelDescription(info),
  ];
  return modelBytes({
    irVersion: IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'nugan',
    producerVersion: NUGAN_VERSION,
    modelVersion: ONNX_GRAPH_VERSION,
    doc: `nugan conditional-GAN generator of CC muon kinematics (${variant} inputs and outputs). ${metadata.map(([k, v]) => `${k}: ${v}`).join('\n')}`,
    graphName: variant === 'proxy' ? 'nugan_generator' : 'nugan_generator_physical',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs,
    metadata,
  });
}
