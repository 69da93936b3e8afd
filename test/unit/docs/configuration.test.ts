/**
 * docs/configuration.md stays complete: every environment variable the production code reads has a row there, and
 * every row names a variable something still reads.
 *
 * How variable names are found (TypeScript AST, so comments and strings in prose never count):
 *   1. `process.env.X`, `env.X`, `io.env.X`, … — a property access on anything called `env` (an identifier or a
 *      `.env` property); also the element form `env['X']` and destructuring `const { X } = process.env`.
 *   2. Keys of the zod env schemas: in a file that builds one (it mentions `parseEnv` or an `…EnvSchema`/`…envSchema`
 *      identifier), every UPPER_SNAKE key of an object literal (`KAFKA_BROKERS: env.text(…)`), wherever the object
 *      is written (inline in `z.object({…})`/`.safeExtend({…})` or as a separate shape constant).
 * Only names in UPPER_SNAKE case count (`env.text()` is a helper, not a variable). Dynamic reads
 * (`process.env[name]`) cannot be seen; the production code has none that matter (sim/ is not production code).
 *
 * "Documented" means: the name appears in backticks in the first cell of a table row of docs/configuration.md, so
 * deleting a variable's row fails the test even when the name is still mentioned in prose.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const docPath = join(root, 'docs', 'configuration.md');

/** The production code: what the services and the CLI run (not test/, not sim/). */
const PRODUCTION_DIRS = ['ingress', 'processor', 'cli', 'common', 'schemas'];
/** Everything that may legitimately read a documented variable (the simulators, the demo and stack scripts too). */
const READER_DIRS = [...PRODUCTION_DIRS, 'sim', 'deploy', 'bin'];
const SKIP_DIRS = new Set(['node_modules', '.stack', 'dist']);

const VARIABLE = /^[A-Z][A-Z0-9_]*$/;
const ENV_SCHEMA_FILE = /\bparseEnv\b|[eE]nvSchema\b/;

function filesUnder(dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, extensions));
    else if (extensions.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Whether `node` is something called `env`: the identifier `env` or a `.env` property (`process.env`, `io.env`). */
function isEnvObject(node: ts.Expression): boolean {
  if (ts.isIdentifier(node)) return node.text === 'env';
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'env';
  return false;
}

function propertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

/** Environment variable names read by one source file (see the header for the rules). */
function variablesReadBy(source: string, fileName = 'source.ts'): Set<string> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const buildsEnvSchema = ENV_SCHEMA_FILE.test(source);
  const found = new Set<string>();
  const add = (name: string | undefined) => {
    if (name !== undefined && VARIABLE.test(name)) found.add(name);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression)) add(node.name.text);
    if (
      ts.isElementAccessExpression(node) &&
      isEnvObject(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression)
    ) {
      add(node.argumentExpression.text);
    }
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
      if (isEnvObject(node.initializer)) {
        for (const element of node.name.elements) {
          const key = element.propertyName ?? element.name;
          if (ts.isIdentifier(key) || ts.isStringLiteral(key)) add(key.text);
        }
      }
    }
    if (buildsEnvSchema && ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        if (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) {
          add(propertyNameText(property.name));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Variable name → the production files that read it. */
function productionVariables(): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const dir of PRODUCTION_DIRS) {
    for (const path of filesUnder(join(root, dir), ['.ts'])) {
      for (const name of variablesReadBy(readFileSync(path, 'utf8'), path)) {
        byName.set(name, [...(byName.get(name) ?? []), relative(root, path)]);
      }
    }
  }
  return byName;
}

/** Names in backticks in the first cell of each markdown table row (`| \`A\` / \`B\` | … |`). */
function documentedVariables(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cells = line.trim().split('|');
    if (cells.length < 3 || cells[0] !== '') continue;
    for (const match of (cells[1] ?? '').matchAll(/`([^`]+)`/g)) {
      const name = match[1] ?? '';
      if (VARIABLE.test(name)) names.add(name);
    }
  }
  return names;
}

describe('variable extraction', () => {
  it('finds schema keys, process.env, env.X, env[X] and destructured reads', () => {
    const source = `
      const s = connectionEnvSchema.safeExtend({ PORT: int(), 'QUOTED_KEY': text() });
      const shape = { SHAPE_KEY: text(), lower: 1 };
      const a = process.env.LOG_PRETTY, b = io.env.STATE_DIR, c = env['BRACKETED'];
      const { DESTRUCTURED } = process.env;
      env.text('not a variable');
      // process.env.IN_A_COMMENT
      const note = 'process.env.IN_A_STRING';`;
    expect([...variablesReadBy(source)].sort()).toEqual([
      'BRACKETED',
      'DESTRUCTURED',
      'LOG_PRETTY',
      'PORT',
      'QUOTED_KEY',
      'SHAPE_KEY',
      'STATE_DIR',
    ]);
  });

  it('reads object keys only in files that build an env schema', () => {
    expect([...variablesReadBy('export const ERROR_CODES = { CONFIG: 1, NO_ROUTE: 2 };')]).toEqual([]);
  });

  it('counts only the first cell of table rows as documentation', () => {
    const markdown = ['`IN_PROSE` is mentioned', '| `A_VAR` / `B_VAR` | `8080` | see `C_VAR` |', '| --- | --- |'];
    expect([...documentedVariables(markdown.join('\n'))].sort()).toEqual(['A_VAR', 'B_VAR']);
  });
});

describe('docs/configuration.md', () => {
  const read = productionVariables();
  const documented = documentedVariables(readFileSync(docPath, 'utf8'));

  it('the extraction finds the variables the code reads (not vacuous)', () => {
    expect(read.size).toBeGreaterThanOrEqual(40);
    for (const name of ['KAFKA_BROKERS', 'FLUENT_WEBHOOK_PUBLIC_KEYS', 'CT_SCOPE', 'RETRY_DELAYS', 'LOG_PRETTY']) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it('has a row for every variable the production code reads', () => {
    const missing = [...read]
      .filter(([name]) => !documented.has(name))
      .map(([name, files]) => `${name} (read in ${files.join(', ')})`);
    expect(missing, 'add a row to docs/configuration.md for each').toEqual([]);
  });

  it('documents no variable that nothing reads any more', () => {
    const sources = READER_DIRS.flatMap((dir) => filesUnder(join(root, dir), ['.ts', '.js', '.mjs', '.sh']))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    const stale = [...documented].filter((name) => !new RegExp(`\\b${name}\\b`).test(sources));
    expect(stale, 'remove these rows from docs/configuration.md or restore the code that reads them').toEqual([]);
  });
});
