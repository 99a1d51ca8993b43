/** nugan's version, from package.json at build time (so the single-file bundle knows it too). */
import pkg from '../package.json' with { type: 'json' };

export const NUGAN_VERSION: string = pkg.version;
