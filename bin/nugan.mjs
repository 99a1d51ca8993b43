#!/usr/bin/env node
// Development launcher: runs the TypeScript sources through tsx's loader, so a checkout needs no
// build step. The single-file bundle (npm run bundle → dist/nugan.mjs) is for machines without npm.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
