/**
 * A trained generator for Keras and TensorFlow users: a Python script that rebuilds the network as a
 * Keras functional model, plus its weights as a NumPy `.npz`.
 *
 * Why a script and not a `.keras` file: a `.keras` archive stores its weights as HDF5, which has no
 * small writer, and Keras 3 cannot read tfjs's model.json. The script needs only numpy and Keras 3
 * (any backend) or tf.keras 2; it names every layer and weight as model.json does, documents the
 * latent distribution and the proxies in its docstring (metadata.ts), carries the proxy maps as numpy
 * functions (`enu_proxy`, `muon_from_proxies`, `sample`), and writes a native `.keras` file with
 * `--save` for those who want one.
 */
import { generatorSpec, netLayout } from '../architecture.ts';
import type { ModelInfo } from '../model.ts';
import { NUGAN_VERSION } from '../../version.ts';
import { modelDescription, proxyConstants } from './metadata.ts';
import { npzBytes } from './npz.ts';

/** File names inside the export directory. */
export const KERAS_SCRIPT = 'nugan_generator.py';
export const KERAS_WEIGHTS = 'nugan_generator_weights.npz';

/** A Python float literal that reads back as the same double. */
function pyFloat(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Text safe inside a Python triple-quoted docstring. */
function docText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}

/** The weights as `.npz` entries named `<layer>.<weight>` (`g_dense_0.kernel`), shapes as in Keras. */
export function kerasWeights(info: ModelInfo, weights: Float32Array): Uint8Array {
  const layout = netLayout(generatorSpec(info.architecture), 'g');
  if (weights.length !== layout.size) throw new RangeError(`generator: ${weights.length} weights for a layout of ${layout.size}`);
  return npzBytes(layout.params.map((p) => ({ name: p.name.replace('/', '.'), shape: p.shape, values: weights.slice(p.offset, p.offset + p.size) })));
}

/** The Python script that rebuilds the generator of `info` and loads KERAS_WEIGHTS beside it. */
export function kerasScript(info: ModelInfo): string {
  const a = info.architecture;
  const c = proxyConstants(info);
  const entries = modelDescription(info);
  const described = entries.filter(([k]) => k !== 'nugan_model').map(([k, v]) => `    ${k}: ${docText(v)}`).join('\n');
  const nuganModel = entries.find(([k]) => k === 'nugan_model')![1];
  return String.raw`"""A nugan conditional-GAN generator of CC muon kinematics, rebuilt for Keras (nugan ${NUGAN_VERSION}).

Rebuilds the generator of a nugan model directory as a Keras functional model and loads its weights
from ${KERAS_WEIGHTS} (beside this file). Needs numpy and Keras 3 (any backend) or
tf.keras from TensorFlow 2.

    import numpy as np, nugan_generator as ng
    model = ng.load_generator()                     # keras.Model: [z, enu_proxy] -> proxies
    E_mu, theta = ng.sample(model, np.full(10000, 1.0), seed=1)   # 10k events at E_nu = 1 GeV

    python ${KERAS_SCRIPT} --save generator.keras    # a native Keras file (keras.saving.load_model)
    python ${KERAS_SCRIPT} --sample 1000 --enu 1.0   # CSV on stdout: E_nu[GeV],E_mu[GeV],theta[rad]

The model: inputs z [N, ${a.latent}] and enu_proxy [N, 1] (float32), output [N, 2] = (E'_mu, theta') through a
tanh. Blocks Dense -> LayerNormalization (epsilon ${pyFloat(1e-3)}) -> LeakyReLU -> Dropout -> GaussianNoise
(+ the previous block's output), E'_nu appended to every block's input and to the output layer's.
Dropout and noise act only in training; model.predict and model(x) leave them out, as nugan does.
sample() draws z with numpy: the same distribution as nugan, not nugan's random numbers; feed
nugan's latent vectors to reproduce its events exactly.

What the numbers mean:
${described}
"""
import argparse
import json
import os
import sys

import numpy as np

LATENT = ${a.latent}
BLOCKS = ${a.blocks}
WIDTH = ${a.width}
LEAK = ${pyFloat(a.leak)}
DROPOUT = ${pyFloat(a.dropout)}
NOISE = ${pyFloat(a.noise)}
LAYER_NORM = ${a.normalisation === 'layer' ? 'True' : 'False'}
SKIP = ${a.skip ? 'True' : 'False'}
LN_EPSILON = 1e-3

# Proxy constants (GeV) the model was trained with.
M_MU = ${pyFloat(c.m_mu)}
E_MIN = ${pyFloat(c.E_min)}
E_MAX = ${pyFloat(c.E_max)}
OMEGA_MIN = ${pyFloat(c.omega_min)}

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "${KERAS_WEIGHTS}")

# The model's nugan-model.json (architecture, training seed, epoch, domain, ...).
NUGAN_MODEL = json.loads(r"""${nuganModel}""")


def _keras():
    try:
        import keras
    except ImportError:
        from tensorflow import keras
    return keras


def _leaky_relu(keras, name):
    try:
        return keras.layers.LeakyReLU(negative_slope=LEAK, name=name)  # Keras 3
    except TypeError:
        return keras.layers.LeakyReLU(alpha=LEAK, name=name)  # tf.keras 2


def build_generator(keras=None):
    """The generator's layers, untrained: inputs [z, enu_proxy], output proxies (E'_mu, theta')."""
    keras = keras or _keras()
    layers = keras.layers
    z = keras.Input(shape=(LATENT,), name="z")
    enu = keras.Input(shape=(1,), name="enu_proxy")
    h = z
    for b in range(BLOCKS):
        x = layers.Concatenate(name=f"g_concat_{b}")([h, enu])
        x = layers.Dense(WIDTH, name=f"g_dense_{b}")(x)
        if LAYER_NORM:
            x = layers.LayerNormalization(epsilon=LN_EPSILON, name=f"g_norm_{b}")(x)
        x = _leaky_relu(keras, f"g_act_{b}")(x)
        if DROPOUT > 0:
            x = layers.Dropout(DROPOUT, name=f"g_drop_{b}")(x)
        if NOISE > 0:
            x = layers.GaussianNoise(NOISE, name=f"g_noise_{b}")(x)
        if SKIP and b > 0:
            x = layers.Add(name=f"g_skip_{b}")([x, h])
        h = x
    x = layers.Concatenate(name="g_concat_out")([h, enu])
    out = layers.Dense(2, activation="tanh", name="g_out")(x)
    return keras.Model([z, enu], out, name="generator")


def load_generator(weights=WEIGHTS, keras=None):
    """build_generator() with the trained weights of the .npz (entries <layer>.<weight>)."""
    model = build_generator(keras)
    arrays = np.load(weights)
    unused = set(arrays.files)
    for layer in model.layers:
        roles = ("kernel", "bias") if layer.name.startswith(("g_dense_", "g_out")) else ("gamma", "beta") if layer.name.startswith("g_norm_") else ()
        if roles:
            names = [f"{layer.name}.{r}" for r in roles]
            missing = [n for n in names if n not in unused]
            if missing:
                raise ValueError(f"{weights}: no weights {missing} for layer {layer.name}")
            layer.set_weights([arrays[n] for n in names])
            unused -= set(names)
    if unused:
        raise ValueError(f"{weights}: weights {sorted(unused)} match no layer of this architecture")
    return model


def enu_proxy(E_nu):
    """E'_nu = 2 (E_nu - E_min)/(E_max - E_min) - 1 for E_nu in GeV."""
    E_nu = np.asarray(E_nu, dtype=np.float64)
    return 2.0 * (E_nu - E_MIN) / (E_MAX - E_MIN) - 1.0


def muon_from_proxies(proxies, E_nu):
    """(E_mu [GeV, total energy], theta [rad]) from the generator's [N, 2] output at E_nu [GeV]."""
    p = np.asarray(proxies, dtype=np.float64)
    E_nu = np.asarray(E_nu, dtype=np.float64).reshape(-1)
    h_mu = (p[:, 0] + 1.0) / 2.0
    h_theta = (p[:, 1] + 1.0) / 2.0
    E_mu = M_MU + (E_nu - OMEGA_MIN - M_MU) * (1.0 - h_mu * h_mu)
    theta = np.pi * h_theta * h_theta
    return E_mu, theta


def sample(model, E_nu, seed=None, rng=None):
    """One event per entry of E_nu (GeV): (E_mu [GeV], theta [rad]), z ~ N(0, 1) from numpy."""
    E_nu = np.asarray(E_nu, dtype=np.float64).reshape(-1)
    rng = rng if rng is not None else np.random.default_rng(seed)
    z = rng.standard_normal((E_nu.size, LATENT)).astype(np.float32)
    c = enu_proxy(E_nu).astype(np.float32).reshape(-1, 1)
    proxies = model.predict([z, c], batch_size=65536, verbose=0)
    return muon_from_proxies(proxies, E_nu)


def main(argv=None):
    parser = argparse.ArgumentParser(description="A nugan generator in Keras: save it as .keras or sample events.")
    parser.add_argument("--weights", default=WEIGHTS, help="the .npz of weights (default: beside this script)")
    parser.add_argument("--save", metavar="FILE.keras", help="write the model as a native Keras file")
    parser.add_argument("--sample", type=int, metavar="N", help="print N events as CSV on stdout")
    parser.add_argument("--enu", type=float, default=1.0, help="neutrino energy for --sample (GeV, default 1.0)")
    parser.add_argument("--seed", type=int, default=None, help="numpy seed for --sample")
    args = parser.parse_args(argv)
    model = load_generator(args.weights)
    if args.save:
        model.save(args.save)
        print(f"wrote {args.save}", file=sys.stderr)
    if args.sample:
        E_nu = np.full(args.sample, args.enu)
        E_mu, theta = sample(model, E_nu, seed=args.seed)
        sys.stdout.write("E_nu[GeV],E_mu[GeV],theta[rad]\n")
        for row in zip(E_nu, E_mu, theta):
            sys.stdout.write("%r,%r,%r\n" % tuple(float(v) for v in row))
    if not args.save and not args.sample:
        model.summary()


if __name__ == "__main__":
    main()
`;
}
