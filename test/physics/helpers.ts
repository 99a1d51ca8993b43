/** Shared fixtures of the physics tests: a per-machine table cache so tables are built once. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelTables, type ChannelTables } from '../../src/physics/channels.ts';
import { resolveKnobs } from '../../src/physics/domains.ts';

export const TEST_TABLE_DIR = join(tmpdir(), 'nugan-test-tables');

export function tablesFor(domain: string, knobs: Record<string, unknown> = {}): Promise<ChannelTables> {
  return channelTables(resolveKnobs(domain, knobs), { cacheDir: TEST_TABLE_DIR });
}
