/**
 * The real ingress entry point (`ingress/server.ts`) as a child process on loopback, for the hostile-input and
 * security suites: crashes show up as an exit, memory is read from its own /metrics, and its log is captured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/private-broker.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface IngressProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Exit code, or undefined while running. */
  exitCode(): number | null | undefined;
  stop(): Promise<void>;
}

export async function startIngressProcess(env: Record<string, string>, logFile: string): Promise<IngressProcess> {
  const port = await freePort();
  const log = createWriteStream(logFile, { flags: 'a' });
  // `node --import tsx` so the child is the ingress itself (the tsx CLI would add a wrapper process).
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingress/server.ts'], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exit: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exit = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exit !== undefined) throw new Error(`ingress exited with ${exit} during start-up (log: ${logFile})`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`ingress not ready within 60 s (log: ${logFile})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    exitCode: () => exit,
    async stop() {
      if (exit === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
