/**
 * Crash safety: a processor child killed with SIGKILL mid-batch and restarted processes every record at least
 * once; none is skipped. The child runs as `node --import tsx` (no wrapper process), so SIGKILL hits the processor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { eventually } from '../../support/kafka.js';
import { committedTotal, encodeAll, payloadFor, produce, testBed } from '../support/processor.js';

const entry = fileURLToPath(new URL('./fixtures/recording-processor.ts', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function handledIds(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function spawnProcessor(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

it('loses nothing when the processor is killed with SIGKILL mid-batch and restarted', async () => {
  const bed = await testBed({ partitions: 3 });
  const payloads = Array.from({ length: 600 }, (_, i) => payloadFor(`O_K${i % 60}`, i));
  await produce(bed.topics.webhooks, await encodeAll(bed.topics.webhooks, payloads));
  const dir = mkdtempSync(join(tmpdir(), 'proc-crash-'));
  dirs.push(dir);
  const file = join(dir, 'handled.txt');
  // Small fetches and slow handlers so the kill lands while batches are in flight.
  const env = bed.env({
    RECORD_FILE: file,
    HANDLER_DELAY_MS: '20',
    PROCESSOR_CONCURRENCY: '16',
    FETCH_MAX_BYTES_PER_PARTITION: '4096',
    SESSION_TIMEOUT_MS: '6000',
  });

  const first = spawnProcessor(env);
  await eventually(() => handledIds(file).length >= 150, 30_000, 20);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const beforeRestart = new Set(handledIds(file));
  expect(beforeRestart.size).toBeLessThan(payloads.length); // it really died mid-stream

  const second = spawnProcessor(env);
  await eventually(() => new Set(handledIds(file)).size === payloads.length, 45_000, 100);
  const all = handledIds(file);
  const missing = payloads.filter((p) => !all.includes(p.id));
  expect(missing).toHaveLength(0);
  await eventually(async () => (await committedTotal(bed.groupId, bed.topics.webhooks)) === payloads.length, 15_000);
  // The restarted member also stops gracefully on SIGTERM.
  const exited = new Promise<number | null>((r) => second.once('exit', (code) => r(code)));
  second.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 120_000);
