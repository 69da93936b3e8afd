/** The commands of docs/runbooks/*.md: fenced `bash runnable` (local stack) and `bash cluster` (rendered chart) blocks. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunbookBlock {
  readonly file: string;
  readonly kind: 'runnable' | 'cluster';
  /** `processor=stopped`: the local processor is stopped while the block runs (as the runbook stops it first). */
  readonly processorStopped: boolean;
  readonly code: string;
  readonly line: number;
}

export interface Runbook {
  readonly file: string;
  readonly blocks: readonly RunbookBlock[];
  /** Fenced bash blocks without a kind: none may exist, or a command would escape the test. */
  readonly unmarked: readonly number[];
}

const FENCE = /^```(\S*)(.*)$/;

export function readRunbooks(dir: string): Runbook[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    // README first: it defines the shell set-up and fc_job the others use.
    .sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)));
  return files.map((file) => parseRunbook(file, readFileSync(join(dir, file), 'utf8')));
}

export function parseRunbook(file: string, text: string): Runbook {
  const blocks: RunbookBlock[] = [];
  const unmarked: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const [, lang, rest = ''] = open;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    const code = lines.slice(i + 1, end).join('\n');
    const words = rest.trim().split(/\s+/);
    if (lang === 'bash' && (words[0] === 'runnable' || words[0] === 'cluster')) {
      blocks.push({
        file,
        kind: words[0],
        processorStopped: words.includes('processor=stopped'),
        code,
        line: i + 1,
      });
    } else if (lang === 'bash' || lang === 'sh' || lang === 'shell') {
      unmarked.push(i + 1);
    }
    i = end;
  }
  return { file, blocks, unmarked };
}
