/**
 * Test harness: a private nginx on 127.0.0.1 serving a WebDAV remote cache, configured in a temp
 * directory (`-p`/`-c`/`-e`, `daemon off`, one process) and stopped by its pid, never by name. Skips
 * with a message when nginx is absent, unless NUGAN_REQUIRE_NGINX=1 (set by .ci/run once installed).
 *
 * One data directory, several doors onto it (so one test can push through one and pull through another):
 *     /rw/    WebDAV (PUT DELETE MKCOL COPY MOVE), basic auth (user `alice`, the password in `password`)
 *     /ro/    the same files, GET and HEAD only, anonymous: a read-only mirror
 *     /slow/  the same files, anonymous, at `slowRate` bytes/s: a download that can be cut mid-way
 *     /err/   the same files, but every file object (v1/cas/…) answers 500
 *     /broken/  500 for everything
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_MISSING = 'remote-cache tests skipped: nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)';

export interface Nginx {
  readonly base: string;
  /** Where the remote's files live on disk (to corrupt one on purpose). */
  readonly data: string;
  readonly user: string;
  readonly password: string;
  readonly pid: number;
  /** Kills the server (SIGKILL), as a crash would. */
  kill(): void;
  stop(): void;
}

function findNginx(): string | undefined {
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), res(true)));
      c.on('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() - t0 > 10_000) throw new Error(`nginx did not listen on ${port} within 10 s: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A started nginx, or the reason the remote tests are skipped. */
export async function startNginx(opts: { slowRate?: number; data?: string } = {}): Promise<Nginx | { skip: string }> {
  const bin = findNginx();
  if (!bin) {
    if (process.env.NUGAN_REQUIRE_NGINX === '1') throw new Error(`NUGAN_REQUIRE_NGINX=1 but ${NGINX_MISSING}`);
    return { skip: NGINX_MISSING };
  }
  const dir = mkdtempSync(join(tmpdir(), 'nugan-nginx-'));
  // Another server's data directory may be shared: a second door onto the same remote, to kill.
  const data = opts.data ?? join(dir, 'data');
  mkdirSync(data, { recursive: true });
  mkdirSync(join(dir, 'tmp'));
  const user = 'alice';
  const password = randomBytes(6).toString('hex');
  // nginx's {SHA} scheme: base64 of the SHA-1 of the password.
  writeFileSync(join(dir, 'htpasswd'), `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/tmp/${t};`).join('\n  ');
  // The free port is found before nginx binds it; another process may take it in between (test files
  // run in parallel), so a failed start is retried on a new port.
  const launch = async (port: number): Promise<ChildProcess> => {
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;
master_process off;
${process.getuid?.() === 0 ? 'user root root; # as root nginx would switch to nobody, who cannot enter the 0700 temp dir' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  ${temp}
  client_max_body_size 0;
  server {
    listen 127.0.0.1:${port};
    location /rw/ {
      alias ${data}/;
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_access user:rw group:r all:r;
      auth_basic "nugan test cache";
      auth_basic_user_file ${dir}/htpasswd;
    }
    location /ro/ {
      alias ${data}/;
      limit_except GET HEAD { deny all; }
    }
    location /slow/ {
      alias ${data}/;
      limit_rate ${opts.slowRate ?? 200_000};
    }
    location ~ ^/err/.*/v1/cas/ { return 500; }
    location /broken/ { return 500; }
    location /err/ {
      alias ${data}/;
    }
  }
}
`,
    );
    const started = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
    try {
      await waitForPort(port, started, join(dir, 'error.log'));
    } catch (err) {
      if (started.exitCode === null) started.kill('SIGKILL');
      throw err;
    }
    return started;
  };
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const server = child;
  const pid = server.pid!;
  const kill = () => {
    if (server.exitCode === null && server.signalCode === null) process.kill(pid, 'SIGKILL');
  };
  return {
    base: `http://127.0.0.1:${port}`,
    data,
    user,
    password,
    pid,
    kill,
    stop() {
      kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
