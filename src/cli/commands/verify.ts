/**
 * `nugan verify [--store DIR] [--json]`: re-hashes every file of every artifact in the store against its
 * manifest (docs/cache.md §7). A corrupt artifact is reported and moved to `<store>/quarantine/`, so the
 * next run rebuilds it instead of using it. Exit 0 when every artifact is intact, 1 otherwise.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { xxh } from '../../cache/hash.ts';
import { ArtifactStore } from '../../cache/store.ts';
import { checkArtifact } from '../../cache/verify.ts';
import { storeDirFor } from '../../runner/prepare.ts';
import { InputError } from '../../util/errors.ts';
import { parseCommandArgs } from '../args.ts';

const help = `usage: nugan verify [--store DIR] [--json]

Re-hashes every file of every artifact in the store (default: artifacts/ of the repository here) and
compares it with the artifact's manifest. A corrupt artifact (a file missing, truncated, changed, or
an unreadable manifest) is reported and moved to <store>/quarantine/: it is never used again, the next
run rebuilds it, and gc removes it. Exit code 0 when every artifact is intact, 1 otherwise.
A run checks cached artifacts cheaply on its own (sizes, and contents of files whose time changed);
verify also finds damage that left size and time alone.
`;

interface Corrupt {
  readonly key: string;
  readonly id: string | undefined;
  readonly problem: string;
  readonly movedTo: string | undefined;
}

export default async function verifyCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('verify', argv, { store: { type: 'string' }, json: { type: 'boolean' } }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const dir = storeDirFor(join(resolve('.'), 'x.yaml'), args.values.store as string | undefined);
  if (!existsSync(join(dir, 'artifacts'))) throw new InputError(`no artifact store at ${dir} (no artifacts/ directory; give one with --store DIR)`);
  const store = new ArtifactStore(dir);
  await xxh();
  const t0 = performance.now();
  const corrupt: Corrupt[] = [];
  let checked = 0;
  let bytes = 0;
  for (const key of store.listArtifacts()) {
    const manifest = store.readManifest(key);
    const c = checkArtifact(store, key, 'full');
    if (c.state === 'absent' && manifest === undefined && !existsSync(store.artifactDir(key))) continue; // removed meanwhile
    checked++;
    if (c.state === 'intact') {
      bytes += (c.manifest.files ?? []).reduce((s, f) => s + f.bytes, 0);
      continue;
    }
    const problem = c.state === 'corrupt' ? c.problem : 'its manifest.json is missing';
    const id = manifest && !(manifest instanceof Error) ? manifest.id : undefined;
    corrupt.push({ key, id, problem, movedTo: store.quarantine(key) });
  }
  const seconds = (performance.now() - t0) / 1000;
  if (args.values.json) {
    process.stdout.write(`${JSON.stringify({ store: store.dir, artifacts: checked, bytes, seconds, intact: checked - corrupt.length, corrupt })}\n`);
  } else {
    for (const c of corrupt) process.stdout.write(`corrupt  ${c.id ?? '(unknown stage)'} ${c.key}: ${c.problem}; ${c.movedTo ? `moved to ${c.movedTo}` : 'moved aside by another process'}\n`);
    const head = `verified ${checked} artifacts (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s`;
    process.stdout.write(corrupt.length === 0 ? `${head}: all intact\n` : `${head}: ${corrupt.length} corrupt, moved to ${store.quarantineDir}; the next run rebuilds them\n`);
  }
  return corrupt.length === 0 ? 0 : 1;
}
