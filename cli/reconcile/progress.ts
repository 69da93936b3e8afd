/**
 * Progress of a sweep on stderr. Fluent's search gives no total count, so there is no percentage: on a terminal a
 * cli-progress line redrawn in place (pages, orders, events, rate), otherwise a plain line at most once a second
 * (logs, CI, a CronJob's output).
 */
import cliProgress from 'cli-progress';
import type { OutputStream } from '../io.js';
import type { SweepProgress } from './run.js';

export interface SweepProgressView {
  update(progress: SweepProgress): void;
  stop(): void;
}

export function createSweepProgress(
  stream: OutputStream,
  options: { label: string; now?: () => number; intervalMs?: number },
): SweepProgressView {
  const now = options.now ?? Date.now;
  const started = now();
  let latest: SweepProgress = { pages: 0, seen: 0, produced: 0 };
  const rate = (): string => (latest.seen / Math.max((now() - started) / 1000, 0.001)).toFixed(0);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: stream as unknown as NodeJS.WritableStream,
      format: `${options.label} | page {pages} | orders {value} | events {produced} | {rate} orders/s | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(0, 0, { pages: 0, produced: 0, rate: '0' });
    return {
      update: (progress) => {
        latest = progress;
        bar.update(progress.seen, { pages: progress.pages, produced: progress.produced, rate: rate() });
      },
      stop: () => bar.stop(),
    };
  }
  const interval = options.intervalMs ?? 1_000;
  let last = 0;
  const line = (): void => {
    stream.write(
      `${options.label}: page ${latest.pages}, ${latest.seen} order(s), ${latest.produced} event(s), ${rate()} orders/s\n`,
    );
  };
  return {
    update: (progress) => {
      latest = progress;
      if (now() - last >= interval) {
        last = now();
        line();
      }
    },
    stop: line,
  };
}
