/**
 * Worker-thread entry of the reference generator: receives (spec, tables) once, then generates the
 * blocks it is sent and posts them back (typed arrays transferred, not copied). See generator.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChannelTables } from './channels.ts';
import { generateBlock, type GeneratorSpec } from './generator.ts';
import { ChannelSampler } from './channel-sampler.ts';

const { spec, tables } = workerData as { spec: GeneratorSpec; tables: ChannelTables };
const sampler = new ChannelSampler(spec.knobs);

parentPort!.on('message', (msg: { block: number; count: number }) => {
  const result = generateBlock(spec, tables, sampler, msg.block, msg.count);
  parentPort!.postMessage({ block: msg.block, result }, [result.E_nu.buffer, result.E_mu.buffer, result.theta.buffer, result.channel.buffer] as ArrayBuffer[]);
});
