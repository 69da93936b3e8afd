/**
 * A private Kafka broker for tests that stop or restart the broker (so the shared one stays up for everyone else).
 * Runs deploy/local/stack.sh with its own STACK_DIR and ports; the Kafka jars come from the shared lib folder
 * (STACK_LIB_DIR's default, deploy/local/.stack/lib).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { freePort } from '../../sim/common/ports.js';

export { freePort };

const run = promisify(execFile);
const stackScript = fileURLToPath(new URL('../../deploy/local/stack.sh', import.meta.url));

export interface PrivateBroker {
  readonly brokers: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the broker process (SIGSTOP): connections stay open and requests hang, as with a hung broker. */
  freeze(): void;
  /** Lets a frozen broker run again (SIGCONT). */
  thaw(): void;
  /** Stops and removes all data. */
  destroy(): Promise<void>;
}

export async function startPrivateBroker(): Promise<PrivateBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'fc-broker-'));
  const port = await freePort();
  const controllerPort = await freePort();
  const env = {
    ...process.env,
    STACK_DIR: dir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    STACK_COMPONENTS: 'kafka',
  };
  const stack = async (command: string) => {
    await run('bash', [stackScript, command], { env, timeout: 180_000 });
  };
  await stack('up');
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(Number(readFileSync(join(dir, 'run', 'kafka.pid'), 'utf8')), name);
    } catch {
      // not running
    }
  };
  return {
    brokers: `127.0.0.1:${port}`,
    start: () => stack('up'),
    stop: () => stack('down'),
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    destroy: async () => {
      signal('SIGCONT');
      await stack('down');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
