/**
 * Progress on stderr: a cli-progress bar on a terminal, plain throttled lines otherwise (logs, CI, pipes).
 */
import cliProgress from 'cli-progress';
import type { OutputStream } from './io.js';

export interface Progress {
  update(scanned: number, replayed: number): void;
  stop(): void;
}

export function createProgress(
  stream: OutputStream,
  options: { label: string; total: number; now?: () => number; intervalMs?: number },
): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const rate = (scanned: number): string => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    return (scanned / seconds).toFixed(0);
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as unknown as NodeJS.WritableStream,
        format: `${options.label} [{bar}] {percentage}% | scanned {value}/{total} | replayed {replayed} | {rate} rec/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.total, 0, { replayed: 0, rate: '0' });
    return {
      update: (scanned, replayed) => bar.update(scanned, { replayed, rate: rate(scanned) }),
      stop: () => bar.stop(),
    };
  }
  const interval = options.intervalMs ?? 1_000;
  let last = 0;
  let latest = { scanned: 0, replayed: 0 };
  const line = (): void => {
    const pct = options.total > 0 ? Math.floor((latest.scanned / options.total) * 100) : 100;
    stream.write(
      `${options.label}: scanned ${latest.scanned}/${options.total} (${pct}%), replayed ${latest.replayed}, ${rate(latest.scanned)} rec/s\n`,
    );
  };
  return {
    update: (scanned, replayed) => {
      latest = { scanned, replayed };
      if (now() - last >= interval) {
        last = now();
        line();
      }
    },
    stop: line,
  };
}
