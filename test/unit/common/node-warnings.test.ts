import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('../../../common/node-warnings.ts', import.meta.url));

/** Runs a script in a fresh Node process (warnings are process-wide) with tsx, returning its stderr. */
function stderrOf(script: string, preload: boolean): string {
  const args = ['--import', 'tsx', ...(preload ? ['--import', module] : []), '--input-type=module', '-e', script];
  return spawnSync(process.execPath, args, { encoding: 'utf8' }).stderr;
}

describe('node-warnings: KafkaJS negative timer delays stay quiet, every other warning is printed', () => {
  const script = `setTimeout(() => {}, -5); process.emitWarning('kept', 'OtherWarning');`;

  it('drops only TimeoutNegativeWarning (Node ≥ 23 emits it for KafkaJS 2.2.4 request queues)', () => {
    const stderr = stderrOf(script, true);
    expect(stderr).not.toContain('TimeoutNegativeWarning');
    expect(stderr).toContain('OtherWarning: kept');
  });

  it.runIf(Number(process.versions.node.split('.')[0]) >= 23)('is needed: without it Node prints the warning', () => {
    expect(stderrOf(script, false)).toContain('TimeoutNegativeWarning');
  });
});
