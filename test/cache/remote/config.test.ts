/**
 * Which remote a command uses and with which credentials (docs/cache.md §6.2): flags before the
 * environment before the pipeline before the per-user file; passwords never in shared files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRemote } from '../../../src/cache/remote/config.ts';
import { credentialsFor } from '../../../src/cache/remote/credentials.ts';
import { redactUrl } from '../../../src/cache/remote/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'nugan-remote-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const userConfig = join(dir, 'config.yaml');
writeFileSync(userConfig, 'remote: { url: "https://cache.example.org/user/", push: true }\n');
const base = { NUGAN_CONFIG: userConfig, NETRC: join(dir, 'none') } as NodeJS.ProcessEnv;

describe('remote configuration', () => {
  it('takes --remote before NUGAN_REMOTE before the pipeline before the user config, and --remote none switches it off', () => {
    const env = { ...base, NUGAN_REMOTE: 'http://env.example.org/c/' };
    expect(resolveRemote({ remote: 'http://flag.example.org/' }, 'http://pipe.example.org/', 'p.yaml', env)?.url.host).toBe('flag.example.org');
    expect(resolveRemote({}, 'http://pipe.example.org/', 'p.yaml', env)?.url.host).toBe('env.example.org');
    expect(resolveRemote({}, { url: 'http://pipe.example.org/', push: true }, 'p.yaml', base)).toMatchObject({ push: true, source: 'remote: in p.yaml' });
    expect(resolveRemote({}, undefined, 'p.yaml', base)).toMatchObject({ push: true, source: `remote: in ${userConfig}` });
    expect(resolveRemote({ remote: 'none' }, 'http://pipe.example.org/', 'p.yaml', env)).toBeUndefined();
  });

  it('turns pushing on with --push or NUGAN_PUSH=1 and off with NUGAN_PUSH=0, whatever the entry says', () => {
    expect(resolveRemote({ remote: 'http://a/' }, undefined, undefined, base)?.push).toBe(false);
    expect(resolveRemote({ remote: 'http://a/', push: true }, undefined, undefined, base)?.push).toBe(true);
    expect(resolveRemote({ remote: 'http://a/' }, undefined, undefined, { ...base, NUGAN_PUSH: '1' })?.push).toBe(true);
    expect(resolveRemote({}, undefined, undefined, { ...base, NUGAN_PUSH: '0' })?.push).toBe(false);
  });

  it('refuses a password in a pipeline or on the command line (not in NUGAN_REMOTE), a non-http URL, and --push without any remote, naming the setting', () => {
    expect(() => resolveRemote({}, 'https://u:secret@h/', 'p.yaml', base)).toThrow(/remote: in p.yaml: the URL carries a password; put credentials in NUGAN_REMOTE_AUTH/);
    expect(() => resolveRemote({ remote: 'https://u:secret@h/' }, undefined, undefined, base)).toThrow(/--remote: the URL carries a password; .*not on a command line/);
    expect(resolveRemote({}, undefined, undefined, { ...base, NUGAN_REMOTE: 'https://u:secret@h/' })?.url.password).toBe('secret');
    expect(() => resolveRemote({ remote: 'ftp://h/' }, undefined, undefined, base)).toThrow(/--remote: the remote cache must be an http:\/\/ or https:\/\/ URL, got ftp:/);
    expect(() => resolveRemote({ push: true }, undefined, undefined, { NUGAN_CONFIG: join(dir, 'absent.yaml') })).toThrow(/--push needs a remote/);
  });

  it('finds credentials in NUGAN_REMOTE_TOKEN, NUGAN_REMOTE_AUTH, the URL, then the netrc entry of the host, and never shows them', () => {
    const netrc = join(dir, 'netrc');
    writeFileSync(netrc, 'machine other.org login x password y\nmachine cache.example.org\n  login carol\n  password s3cret\n');
    const url = new URL('https://cache.example.org/c/');
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    expect(credentialsFor(url, { NETRC: netrc })).toEqual({ authorization: basic('carol', 's3cret'), source: netrc });
    expect(credentialsFor(new URL('https://bob:pw@cache.example.org/'), { NETRC: netrc }).authorization).toBe(basic('bob', 'pw'));
    expect(credentialsFor(url, { NETRC: netrc, NUGAN_REMOTE_AUTH: 'dave:a:b' }).authorization).toBe(basic('dave', 'a:b'));
    expect(credentialsFor(url, { NETRC: netrc, NUGAN_REMOTE_TOKEN: 't0k' }).authorization).toBe('Bearer t0k');
    expect(credentialsFor(new URL('https://elsewhere.org/'), { NETRC: netrc }).authorization).toBeUndefined();
    expect(redactUrl('https://bob:pw@cache.example.org/c/')).toBe('https://cache.example.org/c/');
  });
});
