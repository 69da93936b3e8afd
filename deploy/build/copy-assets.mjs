/* global process, console */
// Copies the non-TypeScript files the compiled services read at run time next to their compiled JS in dist/:
// schemas/*.avsc (serde.ts reads webhook-event.avsc beside itself), processor/**/*.graphql (GraphQL documents a
// deployment may replace) and the bundled commercetools schema (*.sdl). Run by `npm run build` after tsc.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'dist');
const sourceDirs = ['schemas', 'common', 'ingress', 'processor', 'cli'];
const assetExtensions = ['.avsc', '.graphql', '.sdl'];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

if (!existsSync(outDir)) {
  console.error('copy-assets: dist/ does not exist; run tsc -p tsconfig.build.json first');
  process.exit(1);
}

let copied = 0;
for (const dir of sourceDirs) {
  const abs = join(root, dir);
  if (!existsSync(abs)) continue;
  for (const file of walk(abs)) {
    if (!assetExtensions.some((ext) => file.endsWith(ext))) continue;
    const rel = relative(root, file);
    cpSync(file, join(outDir, rel));
    copied += 1;
  }
}
console.log(`copy-assets: ${copied} asset file(s) copied into dist/`);
