/**
 * Which remote cache a command uses, and whether it writes to it (docs/cache.md §6). The first of these
 * that names a remote wins:
 *
 *     --remote URL            (`--remote none` switches the remote off)
 *     NUGAN_REMOTE=URL        (`none` likewise)
 *     remote: in the pipeline (a URL, or {url, push})
 *     remote: in the per-user config file ($NUGAN_CONFIG, else $XDG_CONFIG_HOME/nugan/config.yaml,
 *                              else ~/.config/nugan/config.yaml)
 *
 * Pushing is on with `--push`, else with NUGAN_PUSH=1 (NUGAN_PUSH=0 turns it off), else with the
 * `push: true` of the pipeline or config entry that named the remote. Only NUGAN_REMOTE's URL may carry
 * a password: a command line is visible to everyone on the machine, pipeline and config files are
 * shared; credentials come from the environment or ~/.netrc (credentials.ts).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../../util/errors.ts';

export interface RemoteSettings {
  readonly url: URL;
  readonly push: boolean;
  /** Where the remote was named (for messages). */
  readonly source: string;
}

export interface RemoteFlags {
  readonly remote?: string;
  readonly push?: boolean;
}

/** The per-user config file's path. */
export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NUGAN_CONFIG) return env.NUGAN_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'nugan', 'config.yaml');
}

/** The remote a command uses, or undefined for none. Throws an InputError naming the bad setting. */
export function resolveRemote(flags: RemoteFlags, pipelineRemote: unknown, pipelineFile: string | undefined, env: NodeJS.ProcessEnv = process.env): RemoteSettings | undefined {
  const envPush = env.NUGAN_PUSH === undefined || env.NUGAN_PUSH === '' ? undefined : env.NUGAN_PUSH === '1' || env.NUGAN_PUSH === 'true';
  const push = (fromEntry: boolean) => flags.push ?? envPush ?? fromEntry;
  if (flags.remote !== undefined) return flags.remote === 'none' ? undefined : settings(flags.remote, push(false), '--remote', false);
  if (env.NUGAN_REMOTE) return env.NUGAN_REMOTE === 'none' ? undefined : settings(env.NUGAN_REMOTE, push(false), 'NUGAN_REMOTE', true);
  if (pipelineRemote !== undefined && pipelineRemote !== null) return fromEntry(pipelineRemote, `remote: in ${pipelineFile}`, push);
  const file = userConfigFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (flags.push) throw new InputError('--push needs a remote: give --remote URL, set NUGAN_REMOTE, or add remote: to the pipeline or to ' + file);
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new InputError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`, file);
  }
  const entry = doc && typeof doc === 'object' ? (doc as Record<string, unknown>).remote : undefined;
  if (entry === undefined || entry === null) {
    if (flags.push) throw new InputError(`--push needs a remote, and ${file} names none`);
    return undefined;
  }
  return fromEntry(entry, `remote: in ${file}`, push);
}

function fromEntry(entry: unknown, where: string, push: (fromEntry: boolean) => boolean): RemoteSettings | undefined {
  if (entry === 'none' || entry === false) return undefined;
  if (typeof entry === 'string') return settings(entry, push(false), where, false);
  if (typeof entry === 'object' && entry && typeof (entry as { url?: unknown }).url === 'string') {
    const e = entry as { url: string; push?: unknown };
    if (e.push !== undefined && typeof e.push !== 'boolean') throw new InputError(`${where}: push must be true or false, got ${JSON.stringify(e.push)}`);
    return settings(e.url, push(e.push === true), where, false);
  }
  throw new InputError(`${where}: expected a URL or {url: URL, push: true|false}, got ${JSON.stringify(entry)}`);
}

function settings(raw: string, push: boolean, source: string, mayCarryPassword: boolean): RemoteSettings {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`${source}: '${raw}' is not a URL (expected http://host/path/ or https://…)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`${source}: the remote cache must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.password && !mayCarryPassword) {
    // A command line is visible to every user of the machine (ps) and is recorded in lock files; a
    // pipeline or config file is shared. Only the environment may carry a password in the URL.
    throw new InputError(`${source}: the URL carries a password; put credentials in NUGAN_REMOTE_AUTH=user:password or ~/.netrc, not on a command line or in a file others read`);
  }
  return { url, push, source };
}
