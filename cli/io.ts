/**
 * The CLI's only window on the process: output streams, environment, working directory and an interrupt signal.
 * Commands never touch `process` directly, so tests run them in-process (`run(argv, io)`) with captured output and an
 * AbortController standing in for Ctrl-C.
 */
import { resolve } from 'node:path';

export interface OutputStream {
  write(text: string): unknown;
  /** True when attached to a terminal: enables the progress bar and table padding for humans. */
  readonly isTTY?: boolean | undefined;
  /** Terminal width for the progress bar (TTY only). */
  readonly columns?: number | undefined;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Directory that relative paths (e.g. the replay state dir) resolve against. Default: process.cwd(). */
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop after the in-flight batch. */
  readonly signal?: AbortSignal | undefined;
  /** Clock for headers and checkpoints; default Date.now. */
  readonly now?: (() => number) | undefined;
}

export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal,
  };
}

export function resolvePath(io: CliIo, path: string): string {
  return resolve(io.cwd, path);
}

export function println(stream: OutputStream, text = ''): void {
  stream.write(`${text}\n`);
}
