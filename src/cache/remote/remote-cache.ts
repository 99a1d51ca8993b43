/**
 * A remote cache behind the local store (docs/cache.md §6): look a key up, pull an artifact into the
 * store, push one from it. Plain HTTP over the content-addressed layout of `layout.ts`, with WebDAV's
 * MKCOL and MOVE where the server has them.
 *
 * Guarantees kept here, whatever the server does:
 * - a pull downloads into the store's temporary area, checks every file's content hash and size against
 *   the entry and every output's hash against the manifest, and only then renames the artifact into
 *   place: nothing corrupt or partial ever becomes `artifacts/<key>`;
 * - a push uploads each file under a temporary name and MOVEs it into place (or PUTs it directly where
 *   MOVE is not offered), files before the entry that lists them; a file already there is not sent
 *   again; two uploaders of one key write the same bytes, so either may win;
 * - a local artifact whose file outputs no longer match its manifest is never pushed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { NUGAN_VERSION } from '../../version.ts';
import { mapLimit } from '../../util/pool.ts';
import type { Result } from '../../util/result.ts';
import { hashFileContent, hashOutput, xxh } from '../hash.ts';
import type { Manifest } from '../manifest.ts';
import type { ArtifactStore } from '../store.ts';
import { credentialsFor } from './credentials.ts';
import { HttpClient, redactUrl, RemoteError, statusError } from './http.ts';
import { blobPath, ENTRY_SCHEMA, entryPath, parentCollections, parseEntry, type RemoteEntry, type RemoteFile } from './layout.ts';

/** A key the remote holds: its entry and the manifest inside it. */
export interface RemoteHit {
  readonly key: string;
  readonly entry: RemoteEntry;
  readonly manifest: Manifest;
}

/** Files transferred at once within one artifact. */
const FILE_PARALLELISM = 4;

const asRemoteError = (err: unknown): RemoteError => (err instanceof RemoteError ? err : new RemoteError('server', (err as Error).message));

export class RemoteCache {
  private readonly http: HttpClient;
  /** Collections known to exist (MKCOL done or not needed). */
  private readonly collections = new Set<string>();
  /** Set once the server answered MOVE with 405/501: publish by plain PUT from then on. */
  private moveUnsupported = false;
  /** Where the credentials came from (for messages). */
  readonly credentialSource: string;

  constructor(url: URL, env: NodeJS.ProcessEnv = process.env) {
    const creds = credentialsFor(url, env);
    const base = new URL(url);
    base.username = '';
    base.password = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.http = new HttpClient(base, creds.authorization);
    this.credentialSource = creds.source;
  }

  /** The remote's URL without credentials: the only form used in messages. */
  get display(): string {
    return redactUrl(this.http.base);
  }

  /** The URL of a key's entry (for `status` to point at). */
  entryUrl(key: string): string {
    return redactUrl(this.http.url(entryPath(key)));
  }

  /** The remote's entry for `key`: a hit, `undefined` when absent, or the problem (unreachable, auth, a corrupt entry…). */
  async lookup(key: string): Promise<Result<RemoteHit | undefined, RemoteError>> {
    try {
      const path = entryPath(key);
      const r = await this.http.request('GET', path);
      if (r.status === 404) return { ok: true, value: undefined };
      if (r.status !== 200) return { ok: false, error: statusError('GET', this.http.url(path), r.status, 'looking up a cache key') };
      const parsed = parseEntry(r.body.toString('utf8'), key);
      if (!parsed.ok) return { ok: false, error: new RemoteError('corrupt', `${redactUrl(this.http.url(path))}: damaged cache entry: ${parsed.problem}`) };
      return { ok: true, value: { key, entry: parsed.entry, manifest: parsed.manifest } };
    } catch (err) {
      return { ok: false, error: asRemoteError(err) };
    }
  }

  /** `lookup` for many keys, `parallelism` requests in flight. */
  async lookupMany(keys: readonly string[], parallelism = 16): Promise<Map<string, Result<RemoteHit | undefined, RemoteError>>> {
    const results = await mapLimit(keys, parallelism, (k) => this.lookup(k));
    return new Map(keys.map((k, i) => [k, results[i]!]));
  }

  /**
   * Downloads a hit into `store` as `artifacts/<key>`: files into a temporary directory of the store,
   * each checked against its hash and size, outputs checked against the manifest, then one rename.
   * On any problem the temporary directory is removed and the problem returned.
   */
  async pull(hit: RemoteHit, store: ArtifactStore): Promise<Result<Manifest, RemoteError>> {
    const tmp = store.makeTempDir(hit.key);
    try {
      await mapLimit(hit.entry.files, FILE_PARALLELISM, (f) => this.downloadFile(f, join(tmp, ...f.path.split('/'))));
      // A file output was checked as it streamed in (its entry hash is the manifest's, parseEntry);
      // a directory output's hash is over its listing, so it is recomputed here.
      const listed = new Set(hit.entry.files.map((f) => f.path));
      for (const [name, out] of Object.entries(hit.manifest.outputs)) {
        if (listed.has(out.path)) continue;
        const got = await hashOutput(join(tmp, ...out.path.split('/')));
        if (got.hash !== out.hash) throw new RemoteError('corrupt', `output '${name}' (${out.path}) of ${hit.key} hashes to ${got.hash}, its manifest says ${out.hash}`);
      }
      // Pulled files get the times their manifest recorded, so the quick check of every later run
      // (src/cache/verify.ts) finds them unchanged instead of re-hashing them.
      for (const f of hit.manifest.files ?? []) {
        const file = join(tmp, ...f.path.split('/'));
        if (existsSync(file)) utimesSync(file, f.mtimeMs / 1000, f.mtimeMs / 1000);
      }
      writeFileSync(join(tmp, 'manifest.json'), hit.entry.manifest);
      store.commit(tmp, hit.key);
      const m = store.readManifest(hit.key);
      if (!m || m instanceof Error) throw new RemoteError('corrupt', `pulled artifact ${hit.key} is unreadable: ${m instanceof Error ? m.message : 'missing'}`);
      return { ok: true, value: m };
    } catch (err) {
      return { ok: false, error: asRemoteError(err) };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  private async downloadFile(f: RemoteFile, target: string): Promise<void> {
    mkdirSync(dirname(target), { recursive: true });
    const x = await xxh();
    const h = x.create64(0n);
    const path = blobPath(f.hash);
    const { status, bytes } = await this.http.download(path, target, (c) => h.update(c));
    if (status !== 200) {
      if (status === 404) throw new RemoteError('corrupt', `${redactUrl(this.http.url(path))} (${f.path}) is missing on the remote although an entry lists it`);
      throw statusError('GET', this.http.url(path), status, `downloading ${f.path}`);
    }
    const got = `xxh64:${h.digest().toString(16).padStart(16, '0')}`;
    if (bytes !== f.bytes || got !== f.hash) {
      throw new RemoteError('corrupt', `${redactUrl(this.http.url(path))} (${f.path}): got ${bytes} bytes hashing to ${got}, expected ${f.bytes} bytes, ${f.hash} — the object on the remote is corrupt`);
    }
  }

  /**
   * Uploads `artifacts/<key>` of `store`: 'present' when the remote already has the key, 'uploaded'
   * otherwise, or the problem (read-only remote, credentials, a damaged local artifact…).
   */
  async push(key: string, store: ArtifactStore): Promise<Result<'uploaded' | 'present', RemoteError>> {
    try {
      const path = entryPath(key);
      const head = await this.http.request('HEAD', path);
      if (head.status === 200) return { ok: true, value: 'present' };
      if (head.status !== 404) throw statusError('HEAD', this.http.url(path), head.status, 'checking for a cache key');
      const entry = await this.describeLocal(key, store);
      await mapLimit(entry.files, FILE_PARALLELISM, (f) => this.uploadBlob(f, join(store.artifactDir(key), ...f.path.split('/'))));
      await this.publish(path, { bytes: Buffer.from(`${JSON.stringify(entry)}\n`) });
      return { ok: true, value: 'uploaded' };
    } catch (err) {
      return { ok: false, error: asRemoteError(err) };
    }
  }

  /** The entry for a local artifact, after checking its file outputs still match the manifest. */
  private async describeLocal(key: string, store: ArtifactStore): Promise<RemoteEntry> {
    const dir = store.artifactDir(key);
    const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const files: RemoteFile[] = [];
    const walk = async (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        const st = statSync(p);
        if (st.isDirectory()) await walk(p);
        else if (p !== join(dir, 'manifest.json')) files.push({ path: relative(dir, p).split(sep).join('/'), hash: await hashFileContent(p), bytes: st.size });
      }
    };
    await walk(dir);
    const entry: RemoteEntry = { schema: ENTRY_SCHEMA, key, manifest: manifestText, files, pushed: { at: new Date().toISOString(), nugan: NUGAN_VERSION } };
    // parseEntry holds the fresh hashes against the manifest's outputs and its own file list: a local
    // artifact damaged since it was made fails here and is not spread.
    const parsed = parseEntry(JSON.stringify(entry), key);
    if (!parsed.ok) throw new RemoteError('corrupt', `local artifact ${dir} is damaged, not pushing it: ${parsed.problem}`);
    return entry;
  }

  private async uploadBlob(f: RemoteFile, file: string): Promise<void> {
    const path = blobPath(f.hash);
    const head = await this.http.request('HEAD', path);
    if (head.status === 200 && Number(head.headers['content-length']) === f.bytes) return;
    if (head.status !== 200 && head.status !== 404) throw statusError('HEAD', this.http.url(path), head.status, `checking for ${f.path}`);
    await this.publish(path, { file, size: f.bytes });
  }

  /**
   * Puts a body at `path` so that readers never see it half-written: PUT under a temporary name, then
   * MOVE into place (WebDAV); where MOVE is refused, a plain PUT at the final name.
   */
  private async publish(path: string, body: { bytes: Buffer } | { file: string; size: number }): Promise<void> {
    if (this.moveUnsupported) return this.put(path, body);
    const tmp = `${path}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
    await this.put(tmp, body);
    const r = await this.http.request('MOVE', tmp, { headers: { destination: this.http.url(path).toString(), overwrite: 'T' } });
    if (r.status === 201 || r.status === 204) return;
    await this.http.request('DELETE', tmp).catch(() => undefined);
    if (r.status === 405 || r.status === 501) {
      this.moveUnsupported = true;
      return this.put(path, body);
    }
    throw statusError('MOVE', this.http.url(tmp), r.status, 'publishing an upload');
  }

  /**
   * PUT, after making the collections above `path` (MKCOL, once per collection and process): nginx
   * answers a PUT into a missing directory with 500, not 409, so they are made before, not on demand.
   */
  private async put(path: string, body: { bytes: Buffer } | { file: string; size: number }): Promise<void> {
    await this.makeCollections(path);
    const r = await this.http.request('PUT', path, { body });
    if (r.status === 200 || r.status === 201 || r.status === 204) return;
    throw statusError('PUT', this.http.url(path), r.status, 'uploading');
  }

  private async makeCollections(path: string): Promise<void> {
    // '' is the remote's own directory (its parent must exist).
    for (const c of ['', ...parentCollections(path)]) {
      if (this.collections.has(c)) continue;
      const r = await this.http.request('MKCOL', c);
      // 201: made now; 405: it exists. A server without WebDAV may answer anything else and still take
      // PUTs into new paths (object stores), so only refused credentials stop here.
      if (r.status === 401 || r.status === 403) throw statusError('MKCOL', this.http.url(c), r.status, 'creating a directory');
      this.collections.add(c);
    }
  }

  close(): void {
    this.http.close();
  }
}
