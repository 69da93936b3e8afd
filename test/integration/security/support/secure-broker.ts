/**
 * A private secured broker for the security tests (deploy/local/secure-stack.sh with its own directory and ports):
 * TLS + SASL (SCRAM, PLAIN, OAUTHBEARER) on one listener, mutual TLS on another, plaintext for set-up only.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../../support/private-broker.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../../deploy/local/secure-stack.sh', import.meta.url));

export interface SecureBroker {
  /** No security: for creating topics from the test. */
  readonly plaintext: string;
  /** TLS + SASL listener. */
  readonly sasl: string;
  /** TLS listener requiring a client certificate. */
  readonly mtls: string;
  readonly user: string;
  readonly password: string;
  /** PEM files: ca.crt, client.crt, client.key, other-ca.crt (an unrelated CA). */
  file(name: 'ca.crt' | 'client.crt' | 'client.key' | 'other-ca.crt'): string;
  destroy(): Promise<void>;
}

export async function startSecureBroker(): Promise<SecureBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'fc-secure-'));
  const [plain, sasl, mtls, controller] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    SECURE_STACK_DIR: dir,
    SECURE_PLAINTEXT_PORT: String(plain),
    SECURE_SASL_PORT: String(sasl),
    SECURE_MTLS_PORT: String(mtls),
    SECURE_CONTROLLER_PORT: String(controller),
  };
  const stack = (command: string) => run('bash', [script, command], { env, timeout: 180_000 });
  try {
    await stack('up');
  } catch (error) {
    await stack('down').catch(() => undefined);
    throw error;
  }
  const file = (name: string) => join(dir, 'tls', name);
  return {
    plaintext: `127.0.0.1:${plain}`,
    sasl: `127.0.0.1:${sasl}`,
    mtls: `127.0.0.1:${mtls}`,
    user: 'fc-connector',
    password: readFileSync(file('scram-password'), 'utf8').trim(),
    file,
    async destroy() {
      await stack('down').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
