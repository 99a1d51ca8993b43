/**
 * `nugan export --model DIR --format onnx|keras --out PATH [--physical]`: a trained generator in a
 * format that tools outside nugan read (src/gan/export/).
 */
import { InputError } from '../../util/errors.ts';
import { EXPORT_FORMATS, exportModel, type ExportFormat } from '../../gan/export/index.ts';
import { parseCommandArgs } from '../args.ts';

const help = `usage: nugan export --model DIR --format onnx|keras --out PATH [--physical] [--json]

Writes the generator of a trained model directory (a train stage's 'model' output) for use outside
nugan. Every export states the latent distribution (z ~ N(0, 1)), the proxies and their inverse, the
E_nu range and the units (ONNX: metadata_props; Keras: the script's docstring).

  --model DIR        model directory (model.json, weights.bin, nugan-model.json)
  --format onnx      one .onnx file (opset 17) for onnxruntime (Python, C++, ...) and ROOT's SOFIE:
                     inputs z [N, latent] and enu_proxy [N, 1], output proxies [N, 2] = (E'_mu, theta')
  --format keras     a directory: nugan_generator.py (rebuilds the model in Keras 3 or tf.keras,
                     loads the weights, samples in GeV/rad, --save writes a .keras file) and
                     nugan_generator_weights.npz
  --physical         ONNX only: inputs z and E_nu [N, 1] in GeV, output muon [N, 2] = (E_mu [GeV],
                     theta [rad]), the proxy maps inside the graph
  --out PATH         the .onnx file, or the directory for keras (created)
  --json             print what was written as one JSON document

Recipes (Python, C++, SOFIE, Keras, tfjs): README.md, "Using a trained generator outside nugan".
`;

export default async function exportCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('export', argv, {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    physical: { type: 'boolean' },
    json: { type: 'boolean' },
  }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const { model, format, out } = args.values;
  if (typeof model !== 'string') throw new InputError('--model DIR is required');
  if (typeof format !== 'string') throw new InputError(`--format is required: ${EXPORT_FORMATS.join(' or ')}`);
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw new InputError(`--format expects ${EXPORT_FORMATS.join(' or ')}, got '${format}'`);
  if (typeof out !== 'string') throw new InputError('--out PATH is required');
  const s = await exportModel({ model, format: format as ExportFormat, out, ...(args.values.physical ? { variant: 'physical' as const } : {}) });
  if (args.values.json) process.stdout.write(JSON.stringify(s) + '\n');
  else {
    const files = s.files.map((f) => `${f.path} (${(f.bytes / 1024).toFixed(0)} kB)`).join(', ');
    process.stderr.write(`wrote ${files}\n  inputs: ${s.inputs.join(', ')}\n  output: ${s.outputs.join(', ')}\n`);
  }
  return 0;
}
