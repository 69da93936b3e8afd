/**
 * docs/architecture.md stays true to the code where the code is the source of truth: the error-code table matches
 * the catalogue (common/error-codes.ts), and every `(docs/<page>.md, "Section")` citation in the tree names a
 * section that exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCodeSpec } from '../../../common/error-codes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The catalogue row as the doc writes it: | `CODE` | yes | no | 400 | – | description |. */
function expectedRow(code: string, spec: ErrorCodeSpec): string {
  const flag = (value: boolean) => (value ? 'yes' : 'no');
  const cells = [`\`${code}\``, flag(spec.retriable), flag(spec.outage), spec.status ?? '–', spec.exitCode ?? '–'];
  return `| ${cells.join(' | ')} | ${spec.description} |`;
}

/** Table rows whose first cell is a backticked UPPER_SNAKE code, normalised to single spaces around the pipes. */
function documentedRows(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line.trim());
    if (!match?.[1]) continue;
    const cells = line
      .trim()
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    rows.set(match[1], `| ${cells.join(' | ')} |`);
  }
  return rows;
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

const SKIP = new Set(['node_modules', '.stack', 'dist', '.git', 'results', 'coverage']);
function textFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...textFiles(path));
    else if (/\.(ts|js|mjs|md|ya?ml|graphql|sh|json|tpl|txt)$|Dockerfile$/.test(name)) out.push(path);
  }
  return out;
}

describe('docs/architecture.md', () => {
  const architecture = read('docs/architecture.md');

  it('lists every error code of common/error-codes.ts with its flags, status and exit code', () => {
    const rows = documentedRows(section(architecture, 'Error model'));
    const wrong = Object.entries(ERROR_CODES)
      .map(([code, spec]) => ({ code, want: expectedRow(code, spec) }))
      .filter(({ code, want }) => rows.get(code) !== want)
      .map(({ want }) => want);
    expect(wrong, 'replace or add these rows in the "Error model" table').toEqual([]);
    const unknown = [...rows.keys()].filter((code) => !(code in ERROR_CODES));
    expect(unknown, 'codes the catalogue no longer has').toEqual([]);
  });

  it('has every section the code cites', () => {
    const pages: Record<string, string> = {
      'docs/architecture.md': architecture,
      'docs/configuration.md': read('docs/configuration.md'),
      'docs/metrics.md': read('docs/metrics.md'),
    };
    const headingsOf = (markdown: string) =>
      new Set([...markdown.matchAll(/^#{2,3} (.+)$/gm)].map((m) => (m[1] ?? '').trim()));
    const broken: string[] = [];
    let citations = 0;
    for (const path of textFiles(root)) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(/(docs\/[a-z-]+\.md),\s*"([^"]+)"/g)) {
        citations += 1;
        const [, page = '', heading = ''] = m;
        const markdown = pages[page];
        if (markdown === undefined || !headingsOf(markdown).has(heading)) {
          broken.push(`${relative(root, path)}: ${page}, "${heading}"`);
        }
      }
    }
    expect(citations).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
