/**
 * Outage gate (pure policy + one timer): decides when a downstream outage should pause processing instead of pushing
 * records into retry tiers or the DLQ. It trips on an explicit outage signal (DownstreamUnavailableError, registry
 * unavailable) or when retryable failures dominate a sliding window. While tripped, every record waits at the gate
 * and is then re-processed in place; the pause doubles on each consecutive trip and resets on the first success.
 * When a pause ends the gate is half-open: one record goes through as a probe while the others keep waiting, so a
 * still-broken downstream sees one call per pause rather than a burst of `concurrency` calls.
 */
import { MAX_TIMER_MS } from './timers.js';
export interface OutageGateOptions {
  /** First pause, ms. */
  initialBackoffMs: number;
  /** Longest pause, ms. */
  maxBackoffMs: number;
  /** Sliding window for the failure-rate breaker, ms. */
  windowMs: number;
  /** Retryable failures needed within the window before the rate counts. */
  minFailures: number;
  /** Share of failures among outcomes in the window (0..1) that trips the breaker. */
  failureRatio: number;
  now?: () => number;
  /** Called when the gate closes (paused=true, with the pause length) or opens again. */
  onChange?: (paused: boolean, pauseMs: number, reason: string) => void;
}

const BUCKETS = 10;

export class OutageGate {
  private pausedUntil = 0;
  /** After a pause: only one caller (the probe) may pass until an outcome is recorded. */
  private probing = false;
  private probeTaken = false;
  private consecutiveTrips = 0;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  // Sliding window in BUCKETS buckets of windowMs/BUCKETS each.
  private readonly successes = new Array<number>(BUCKETS).fill(0);
  private readonly failures = new Array<number>(BUCKETS).fill(0);
  private bucketStart = 0;
  private bucket = 0;
  private readonly now: () => number;

  constructor(private readonly options: OutageGateOptions) {
    this.now = options.now ?? Date.now;
  }

  get paused(): boolean {
    return this.pausedUntil !== 0 || this.probing;
  }

  /**
   * Resolves immediately when open (or for the one probe when half-open), else once the caller may go: when the
   * pause ends / the probe succeeded, or `signal` aborts. Callers loop: wait, try, report the outcome.
   * Resolves true when the caller is the half-open probe: it must try and report, or the gate stays half-open.
   */
  async wait(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      if (this.pausedUntil === 0) {
        if (!this.probing) return false;
        if (!this.probeTaken) {
          this.probeTaken = true;
          return true;
        }
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** True when `wait` would let the caller through at once (hot path: no promise needed). */
  get isOpen(): boolean {
    return this.pausedUntil === 0 && !this.probing;
  }

  recordSuccess(): void {
    this.rotate();
    this.successes[this.bucket]!++;
    this.consecutiveTrips = 0;
    this.reachable();
  }

  /** The downstream answered (e.g. a non-retryable error): ends a probe without counting towards the window. */
  reachable(): void {
    if (!this.probing) return;
    this.probing = false;
    this.probeTaken = false;
    this.release();
    this.options.onChange?.(false, 0, 'resumed');
  }

  /** Records a retryable failure; returns true when the failure rate says "outage". */
  recordRetryableFailure(): boolean {
    this.reachable();
    this.rotate();
    this.failures[this.bucket]!++;
    let f = 0;
    let s = 0;
    for (let i = 0; i < BUCKETS; i++) {
      f += this.failures[i]!;
      s += this.successes[i]!;
    }
    return f >= this.options.minFailures && f / (f + s) >= this.options.failureRatio;
  }

  /** Closes the gate (no-op while already closed). Returns the pause length in ms (0 when already closed). */
  trip(reason: string): number {
    const now = this.now();
    if (this.pausedUntil !== 0) return 0;
    this.probing = false;
    this.probeTaken = false;
    const pauseMs = Math.min(
      this.options.maxBackoffMs,
      this.options.initialBackoffMs * 2 ** Math.min(this.consecutiveTrips, 30),
    );
    this.consecutiveTrips++;
    this.pausedUntil = now + pauseMs;
    this.options.onChange?.(true, pauseMs, reason);
    this.endPauseAfter(pauseMs);
    return pauseMs;
  }

  /** Ends the pause after `ms`, in steps a Node timer can hold (a longer delay would fire after 1 ms). */
  private endPauseAfter(ms: number): void {
    clearTimeout(this.timer);
    const step = Math.min(ms, MAX_TIMER_MS);
    this.timer = setTimeout(() => (ms > step ? this.endPauseAfter(ms - step) : this.endPause()), step);
    this.timer.unref?.();
  }

  /** Pause over: half-open, one waiter probes. */
  private endPause(): void {
    this.timer = undefined;
    this.pausedUntil = 0;
    this.probing = true;
    this.probeTaken = false;
    // A fresh window after a pause, so old failures don't re-trip the breaker at once.
    this.failures.fill(0);
    this.successes.fill(0);
    this.release();
  }

  /** Opens the gate fully now (shutdown) and releases every waiter. */
  open(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const wasPaused = this.paused;
    this.pausedUntil = 0;
    this.probing = false;
    this.probeTaken = false;
    this.release();
    if (wasPaused) this.options.onChange?.(false, 0, 'resumed');
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private rotate(): void {
    const now = this.now();
    const width = this.options.windowMs / BUCKETS;
    if (this.bucketStart === 0) this.bucketStart = now;
    let steps = Math.floor((now - this.bucketStart) / width);
    if (steps <= 0) return;
    this.bucketStart += steps * width;
    if (steps > BUCKETS) steps = BUCKETS;
    for (let i = 0; i < steps; i++) {
      this.bucket = (this.bucket + 1) % BUCKETS;
      this.successes[this.bucket] = 0;
      this.failures[this.bucket] = 0;
    }
  }
}
