/**
 * The remote-cache options shared by `run`, `status`, `push` and `pull` (docs/cache.md §6), and the one
 * place the CLI turns them into a `RemoteCache`.
 */
import { resolveRemote, type RemoteSettings } from '../cache/remote/config.ts';
import { RemoteCache } from '../cache/remote/remote-cache.ts';
import type { Options, ParsedArgs } from './args.ts';

export const REMOTE_OPTIONS: Options = { remote: { type: 'string' }, push: { type: 'boolean' }, 'remote-only': { type: 'boolean' } };

export const REMOTE_HELP = `  --remote URL        remote cache (http/https; WebDAV for uploads) to take results from
                      (default: $NUGAN_REMOTE, the pipeline's remote:, or remote: in
                      ~/.config/nugan/config.yaml; 'none' for no remote). Credentials:
                      NUGAN_REMOTE_AUTH=user:password, NUGAN_REMOTE_TOKEN, or ~/.netrc
  --push              also upload what runs here (or NUGAN_PUSH=1)
  --remote-only       take results from the local store or the remote only; fail what neither has
`;

/** The remote settings the parsed options, environment, pipeline and user config give (undefined: none). */
export function remoteSettings(args: ParsedArgs, pipelineRemote: unknown, pipelineFile: string | undefined): RemoteSettings | undefined {
  return resolveRemote({ remote: args.values.remote as string | undefined, push: args.values.push === true ? true : undefined }, pipelineRemote, pipelineFile);
}

export function openRemote(settings: RemoteSettings): RemoteCache {
  return new RemoteCache(settings.url);
}
