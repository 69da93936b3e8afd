#!/usr/bin/env node
// fc-connector launcher for a checkout or an npm install: the TypeScript source via tsx when both are there (so a
// stale dist/ can never run instead of the code you see), else the compiled CLI. tsx is a dev dependency: with
// `npm ci --omit=dev` the compiled CLI runs. The container image does not use this file: its entrypoint starts
// dist/cli/main.js directly (deploy/docker/entrypoint.sh), so the image runs compiled JavaScript only.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const source = new URL('../cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

/** tsx's ESM loader when installed, else undefined. */
async function tsxLoader() {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

let cli;
const tsx = existsSync(source) ? await tsxLoader() : undefined;
if (tsx) {
  tsx.register();
  cli = await import(source.href);
} else {
  cli = await import(compiled.href);
}
process.exitCode = await cli.main(process.argv.slice(2));
