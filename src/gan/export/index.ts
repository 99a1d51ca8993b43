/**
 * `nugan export`'s library: a model directory's generator written in a format other tools read.
 * One module per format (onnx.ts, keras.ts); this one reads the model, checks where the output goes,
 * and writes the files atomically.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../util/atomic.ts';
import { InputError } from '../../util/errors.ts';
import { unreachable } from '../../util/unreachable.ts';
import { loadModel, type ModelInfo } from '../model.ts';
import { KERAS_SCRIPT, KERAS_WEIGHTS, kerasScript, kerasWeights } from './keras.ts';
import { generatorToOnnx, onnxSignature, type OnnxVariant } from './onnx.ts';

export type ExportFormat = 'onnx' | 'keras';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'keras'];

export interface ExportRequest {
  /** A model directory (a train stage's `model` output). */
  model: string;
  format: ExportFormat;
  /** onnx: the `.onnx` file; keras: a directory (created) for the script and its weights. */
  out: string;
  /** onnx only: proxies in and out (default) or physical units with the proxy maps in the graph. */
  variant?: OnnxVariant;
}

export interface ExportSummary {
  format: ExportFormat;
  variant?: OnnxVariant;
  /** Every file written, with its size in bytes. */
  files: { path: string; bytes: number }[];
  /** The model's inputs and outputs, `name [dims]`. */
  inputs: string[];
  outputs: string[];
}

async function kindOf(p: string): Promise<'file' | 'directory' | 'missing' | 'other'> {
  try {
    const s = await stat(p);
    return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * The exports state the proxy constants and the E_nu range (metadata.ts) and the physical ONNX graph
 * computes with them, so a nugan-model.json without them cannot be exported faithfully.
 */
function checkDescribable(info: ModelInfo, file: string): void {
  const p = info.proxy as Partial<ModelInfo['proxy']> | undefined;
  const missing = (['m_mu', 'E_min', 'E_max', 'omega_min'] as const).filter((k) => typeof p?.[k] !== 'number' || !Number.isFinite(p[k]));
  if (missing.length) throw new InputError(`proxy constants missing or not numbers: ${missing.map((k) => `proxy.${k}`).join(', ')}`, file);
  const r = info.E_range as unknown;
  if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new InputError('E_range must be [E_lo, E_hi] in GeV', file);
}

export async function exportModel(req: ExportRequest): Promise<ExportSummary> {
  if (req.variant && req.format !== 'onnx') throw new InputError(`the ${req.variant} variant is an ONNX option; the Keras script has both (its sample() applies the proxy maps)`);
  const { weights, info } = await loadModel(req.model);
  checkDescribable(info, path.join(req.model, 'nugan-model.json'));
  const files: { path: string; bytes: number }[] = [];
  const write = async (file: string, data: Uint8Array | string) => {
    await writeFileAtomic(file, data);
    files.push({ path: file, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
  };
  const layer = (name: string, dims: (number | string)[]) => `${name} [${dims.join(', ')}]`;
  switch (req.format) {
    case 'onnx': {
      if ((await kindOf(req.out)) === 'directory') throw new InputError('--out names a directory; the ONNX export is one file (e.g. generator.onnx)', req.out);
      const variant = req.variant ?? 'proxy';
      await mkdir(path.dirname(path.resolve(req.out)), { recursive: true });
      await write(req.out, generatorToOnnx(info, weights.G, variant));
      const sig = onnxSignature(variant, info.architecture.latent);
      return { format: 'onnx', variant, files, inputs: sig.inputs.map((v) => layer(v.name, [...v.dims])), outputs: sig.outputs.map((v) => layer(v.name, [...v.dims])) };
    }
    case 'keras': {
      if (/\.(keras|h5|hdf5)$/i.test(req.out)) {
        throw new InputError(`the Keras export is a directory (a Python script and its weights), not a ${path.extname(req.out)} file; give a directory, then run 'python DIR/${KERAS_SCRIPT} --save model.keras' for a native Keras file`, req.out);
      }
      const kind = await kindOf(req.out);
      if (kind === 'file' || kind === 'other') throw new InputError('--out exists and is not a directory; the Keras export writes a directory', req.out);
      await mkdir(req.out, { recursive: true });
      await write(path.join(req.out, KERAS_SCRIPT), kerasScript(info));
      await write(path.join(req.out, KERAS_WEIGHTS), kerasWeights(info, weights.G));
      const latent = info.architecture.latent;
      return { format: 'keras', files, inputs: [layer('z', ['N', latent]), layer('enu_proxy', ['N', 1])], outputs: [layer('g_out', ['N', 2])] };
    }
    default:
      return unreachable(req.format);
  }
}
