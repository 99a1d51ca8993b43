/**
 * Credentials for a remote cache (docs/cache.md §6), looked up at run time and never stored: they go
 * into the Authorization header and nowhere else (not into manifests, logs, the report or messages).
 *
 * In order: NUGAN_REMOTE_TOKEN (a bearer token), NUGAN_REMOTE_AUTH (`user:password`), the URL's own
 * `user:password@`, then the `machine` (or `default`) entry of ~/.netrc ($NETRC names another file),
 * the file curl, git and Python's netrc module read.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  /** The Authorization header value, or undefined for anonymous access. */
  readonly authorization: string | undefined;
  /** Where it came from, for messages (never the secret itself). */
  readonly source: string;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export function credentialsFor(url: URL, env: NodeJS.ProcessEnv = process.env): Credentials {
  if (env.NUGAN_REMOTE_TOKEN) return { authorization: `Bearer ${env.NUGAN_REMOTE_TOKEN}`, source: 'NUGAN_REMOTE_TOKEN' };
  if (env.NUGAN_REMOTE_AUTH) {
    const i = env.NUGAN_REMOTE_AUTH.indexOf(':');
    const [user, password] = i < 0 ? [env.NUGAN_REMOTE_AUTH, ''] : [env.NUGAN_REMOTE_AUTH.slice(0, i), env.NUGAN_REMOTE_AUTH.slice(i + 1)];
    return { authorization: basic(user, password), source: 'NUGAN_REMOTE_AUTH' };
  }
  if (url.username) return { authorization: basic(decodeURIComponent(url.username), decodeURIComponent(url.password)), source: 'the URL' };
  const file = env.NETRC || join(homedir(), '.netrc');
  const entry = netrcEntry(file, url.hostname);
  if (entry) return { authorization: basic(entry.login, entry.password), source: file };
  return { authorization: undefined, source: 'none' };
}

/** The login and password for `host` in a netrc file (its `default` entry otherwise); undefined when none. */
export function netrcEntry(file: string, host: string): { login: string; password: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const tokens = text.split(/\s+/).filter(Boolean);
  let current: { machine: string | null; login: string; password: string } | undefined;
  const entries: NonNullable<typeof current>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'machine' || t === 'default') {
      current = { machine: t === 'default' ? null : (tokens[++i] ?? ''), login: '', password: '' };
      entries.push(current);
    } else if (t === 'macdef') {
      // A macro runs to the next blank line; we only need to skip its name here, the rest holds no keywords we match.
      i++;
    } else if (current && (t === 'login' || t === 'password' || t === 'account')) {
      const v = tokens[++i] ?? '';
      if (t === 'login') current.login = v;
      if (t === 'password') current.password = v;
    }
  }
  const hit = entries.find((e) => e.machine === host) ?? entries.find((e) => e.machine === null);
  return hit ? { login: hit.login, password: hit.password } : undefined;
}
