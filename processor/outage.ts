/**
 * Outage gate (pure policy + one timer): decides when a downstream outage should pause processing instead of pushing
 * records into retry tiers or the DLQ. It trips on an explicit outage signal (DownstreamUnavailableError, registry
 * unavailable) or when retryable failures dominate a sliding window. While tripped, every record waits at the gate
 * and is then re-processed in place; the pause doubles on each consecutive trip and resets on the first success.
 */
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
    return this.now() < this.pausedUntil;
  }

  /** Resolves immediately when open, else when the pause ends or `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> | undefined {
    if (!this.paused || signal?.aborted) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  recordSuccess(): void {
    this.rotate();
    this.successes[this.bucket]!++;
    this.consecutiveTrips = 0;
  }

  /** Records a retryable failure; returns true when the failure rate says "outage". */
  recordRetryableFailure(): boolean {
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
    if (now < this.pausedUntil) return 0;
    const pauseMs = Math.min(
      this.options.maxBackoffMs,
      this.options.initialBackoffMs * 2 ** Math.min(this.consecutiveTrips, 30),
    );
    this.consecutiveTrips++;
    this.pausedUntil = now + pauseMs;
    this.options.onChange?.(true, pauseMs, reason);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), pauseMs);
    this.timer.unref?.();
    return pauseMs;
  }

  /** Opens the gate now (after the pause, or at shutdown) and releases every waiter. */
  open(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const wasPaused = this.pausedUntil !== 0;
    this.pausedUntil = 0;
    // A fresh window after a pause, so old failures don't re-trip the breaker at once.
    this.failures.fill(0);
    this.successes.fill(0);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    if (wasPaused) this.options.onChange?.(false, 0, 'resumed');
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
