/**
 * The few HTTP requests a remote cache needs (docs/cache.md §6): GET, HEAD, PUT, DELETE and the two
 * WebDAV verbs MKCOL and MOVE, over node:http/https with keep-alive. Written on node:http rather than
 * `fetch` because downloads stream straight into a file while being hashed, uploads stream from a file,
 * and a server that dies mid-body must surface as an error, never as a short file.
 *
 * Every failure becomes a `RemoteError` whose `kind` says what the caller should do with it, and whose
 * message names the method and the URL without credentials.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';

/**
 * What went wrong, as the caller acts on it: `unreachable` (no connection: work locally), `auth` (401:
 * the credentials), `forbidden` (403/405 on a write: a read-only remote), `server` (5xx or an unexpected
 * status), `interrupted` (the connection broke mid-transfer), `corrupt` (bytes that do not match their
 * hash, or an entry that does not parse).
 */
export type RemoteErrorKind = 'unreachable' | 'auth' | 'forbidden' | 'server' | 'interrupted' | 'corrupt';

export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body of a GET (small documents only); empty for other requests. */
  readonly body: Buffer;
}

/** Where a request's body comes from: bytes in memory, or a file streamed from disk. */
export type RequestBody = { readonly bytes: Buffer } | { readonly file: string; readonly size: number };

/** A URL with its user:password removed: the only form that may appear in messages. */
export function redactUrl(url: URL | string): string {
  const u = new URL(String(url));
  u.username = '';
  u.password = '';
  return u.toString();
}

/** No byte for this long (connecting, or between chunks): the server is taken as gone. */
const IDLE_MS = 20_000;
/** Bytes gathered before a downloaded block is hashed and written. */
const FLUSH_BYTES = 4 << 20;

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly lib: typeof http | typeof https;

  /** `base` ends with '/'; `authorization` is the header value, or undefined for anonymous access. */
  constructor(
    readonly base: URL,
    private readonly authorization: string | undefined,
  ) {
    this.lib = base.protocol === 'https:' ? https : http;
    this.agent = new this.lib.Agent({ keepAlive: true, maxSockets: 16 });
  }

  url(path: string): URL {
    return new URL(path, this.base);
  }

  /** A small request whose body (if any) is read into memory. */
  async request(method: string, path: string, opts: { body?: RequestBody; headers?: Record<string, string> } = {}): Promise<HttpReply> {
    const res = await this.send(method, path, opts);
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (err) {
      throw this.broken(method, path, err);
    }
    if (!res.complete) throw new RemoteError('interrupted', `${method} ${redactUrl(this.url(path))}: the connection closed before the response was complete`);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /**
   * GET `path` into `file`, passing every chunk to `onChunk` (hashing) on the way. Returns the status;
   * on anything but 200 nothing is written. A body shorter than its Content-Length, or a connection
   * that breaks, is an `interrupted` error (the caller removes the partial file).
   */
  async download(path: string, file: string, onChunk: (chunk: Buffer) => void): Promise<{ status: number; bytes: number }> {
    const res = await this.send('GET', path, {});
    if (res.statusCode !== 200) {
      res.resume();
      return { status: res.statusCode ?? 0, bytes: 0 };
    }
    // Chunks are gathered into blocks of a few MB before hashing and writing (xxhash-wasm and write(2)
    // cost per call; a socket delivers 64 kB at a time), and a block's write overlaps the reception of
    // the next: the socket pauses only while two writes are outstanding.
    let bytes = 0;
    const fh = await open(file, 'w');
    try {
      await new Promise<void>((resolve, reject) => {
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let writes = 0;
        let chain: Promise<unknown> = Promise.resolve();
        let failed = false;
        const fail = (err: unknown) => {
          if (failed) return;
          failed = true;
          res.destroy();
          reject(this.broken('GET', path, err));
        };
        const flush = () => {
          if (!pendingBytes) return;
          const block = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          onChunk(block);
          writes++;
          if (writes >= 2) res.pause();
          chain = chain.then(() => fh.write(block)).then(() => {
            writes--;
            if (writes < 2 && !failed) res.resume();
          });
          chain.catch(fail);
        };
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= FLUSH_BYTES) flush();
        });
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('aborted')));
        res.on('end', () => {
          flush();
          chain.then(() => (failed ? undefined : resolve()), fail);
        });
        res.on('close', () => {
          if (!res.complete) fail(new Error(`connection closed after ${bytes} bytes`));
        });
      });
    } finally {
      await fh.close();
    }
    const expected = Number(res.headers['content-length']);
    if (!res.complete || (Number.isFinite(expected) && expected !== bytes)) {
      throw new RemoteError('interrupted', `GET ${redactUrl(this.url(path))}: the connection closed after ${bytes} of ${Number.isFinite(expected) ? expected : '?'} bytes`);
    }
    return { status: 200, bytes };
  }

  private broken(method: string, path: string, err: unknown): RemoteError {
    if (err instanceof RemoteError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    return new RemoteError('interrupted', `${method} ${redactUrl(this.url(path))}: the transfer broke off (${code ?? (err as Error).message})`);
  }

  /** Sends a request and resolves with the response head; connection failures are `unreachable`. */
  private send(method: string, path: string, opts: { body?: RequestBody; headers?: Record<string, string> }): Promise<IncomingMessage> {
    const url = this.url(path);
    const headers: Record<string, string> = { ...opts.headers };
    if (this.authorization) headers.authorization = this.authorization;
    const body = opts.body;
    if (body) headers['content-length'] = String('bytes' in body ? body.bytes.length : body.size);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: RemoteError) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(e);
      };
      const req = this.lib.request(url, { method, headers, agent: this.agent }, (res) => {
        settled = true;
        res.setTimeout(IDLE_MS, () => res.destroy(new RemoteError('interrupted', `${method} ${redactUrl(url)}: no data for ${IDLE_MS / 1000} s`)));
        resolve(res);
      });
      req.setTimeout(IDLE_MS, () => fail(new RemoteError('unreachable', `${method} ${redactUrl(url)}: no answer within ${IDLE_MS / 1000} s`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const connecting = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT'].includes(err.code ?? '');
        fail(new RemoteError(connecting && !req.reusedSocket ? 'unreachable' : 'interrupted', `${method} ${redactUrl(url)}: ${err.code ?? err.message}`));
      });
      if (!body) req.end();
      else if ('bytes' in body) req.end(body.bytes);
      else pipeline(createReadStream(body.file), req).catch((err: unknown) => fail(this.broken(method, path, err)));
    });
  }

  /** Closes idle keep-alive sockets, so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * The error for a reply whose status the caller did not expect: 401 → `auth`, 403 and 405 →
 * `forbidden`, anything else → `server`.
 */
export function statusError(method: string, url: URL, status: number, what: string): RemoteError {
  const where = `${method} ${redactUrl(url)}`;
  if (status === 401) return new RemoteError('auth', `${where}: 401 Unauthorized — the remote refused the credentials (NUGAN_REMOTE_AUTH, NUGAN_REMOTE_TOKEN or ~/.netrc) while ${what}`);
  if (status === 403 || status === 405) return new RemoteError('forbidden', `${where}: ${status} ${http.STATUS_CODES[status]} — the remote does not allow ${what} (read-only for these credentials?)`);
  return new RemoteError('server', `${where}: ${status} ${http.STATUS_CODES[status] ?? ''} while ${what}`.replace(/ +while/, ' while'));
}
