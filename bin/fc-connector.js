#!/usr/bin/env node
// fc-connector launcher: the TypeScript source via tsx in a checkout (so a stale dist/ can never run instead of the
// code you see), the compiled CLI where only dist/ ships (the production image has no .ts sources).
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const source = new URL('../cli/main.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
