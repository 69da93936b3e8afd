import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../../../cli/main.js';

const EXACTLY_ONCE = /exactly[ -]once|never duplicates|without duplicates/i;

async function replayHelp(): Promise<string> {
  let out = '';
  const sink = { write: (text: string) => ((out += text), true), isTTY: false };
  await run(['replay', '--help'], { stdout: sink, stderr: sink, env: {}, cwd: '/tmp' });
  return out;
}

describe('replay documentation', () => {
  it('promises at-least-once, and says why, in --help and cli/README.md', async () => {
    const help = await replayHelp();
    const readme = readFileSync(new URL('../../../../cli/README.md', import.meta.url), 'utf8');
    // Help is wrapped to the terminal width: compare words, not lines.
    for (const text of [help, readme].map((t) => t.replace(/\s+/g, ' '))) {
      expect(text).not.toMatch(EXACTLY_ONCE);
      expect(text).toContain('at-least-once');
      // The reason: a crash between the produce ack and the checkpoint write sends that batch again.
      expect(text).toMatch(/between the (produce )?ack(nowledgement)? and the checkpoint write/);
    }
  });
});
