/**
 * What every exported generator says about itself, so that a file that has left nugan can still be
 * sampled correctly: the latent distribution, the proxies and their inverse with the constants, the
 * E_nu range and the units (docs/formats.md §3–§4). The ONNX file carries these entries as
 * metadata_props, the Keras script in its docstring; both come from this one list.
 */
import { PROXY_DEFINITION, PROXY_INVERSE, type ModelInfo } from '../model.ts';

/** The proxy constants a model was trained with (GeV), from its nugan-model.json. */
export interface ProxyConstants {
  m_mu: number;
  E_min: number;
  E_max: number;
  omega_min: number;
}

export function proxyConstants(info: ModelInfo): ProxyConstants {
  const { m_mu, E_min, E_max, omega_min } = info.proxy;
  return { m_mu, E_min, E_max, omega_min };
}

/** [key, text] entries describing the generator, in reading order. */
export function modelDescription(info: ModelInfo): [string, string][] {
  const c = proxyConstants(info);
  const latent = info.architecture.latent;
  const [lo, hi] = info.E_range;
  const model = Object.fromEntries(Object.entries(info).filter(([k]) => k !== 'format' && k !== 'version'));
  return [
    ['latent', `z ~ N(0, 1): ${latent} independent standard-normal components per event (float32, mean 0, std 1)`],
    ['proxy_definition', info.proxy.definition ?? PROXY_DEFINITION],
    ['proxy_inverse', info.proxy.inverse ?? PROXY_INVERSE],
    ['proxy_constants', `m_mu = ${c.m_mu} GeV, E_min = ${c.E_min} GeV, E_max = ${c.E_max} GeV, omega_min = ${c.omega_min} GeV`],
    ['E_nu_range', `conditioning domain ${c.E_min} <= E_nu <= ${c.E_max} GeV (E'_nu in [-1, 1]); trained on E_nu in [${lo}, ${hi}] GeV; outside it the model extrapolates`],
    ['units', 'energies in GeV (E_mu is the total muon energy, kinetic T_mu = E_mu - m_mu), angles in radians'],
    ['output_range', "tanh keeps E'_mu and theta' inside (-1, 1): every inverted event has m_mu < E_mu < E_nu - omega_min and 0 < theta < pi"],
    ['nugan_model', JSON.stringify(model)],
  ];
}
