/**
 * Coalesces concurrent produce requests into few produce calls (docs/architecture.md, "The job": requests arriving
 * together are produced together). Each `add()` resolves when the batch holding its message is acknowledged and rejects
 * when that batch fails: one batch = one produce call = one fate.
 *
 * Batches form naturally under load: while `maxInFlight` produce calls are outstanding, new messages wait and leave
 * together in the next call. When idle, a message waits at most `lingerMs` (0 = until the end of the current event
 * loop turn, so requests parsed in the same I/O phase still share a call).
 *
 * Its failures are ConnectorErrors with codes BATCH_TIMEOUT, BATCHER_OVERLOADED and BATCHER_CLOSED; a failed produce
 * call rejects with the producer's own error.
 */
import { ConnectorError } from '../common/index.js';

export interface BatcherOptions<M> {
  /** Largest number of messages in one produce call (default 500). */
  maxBatchSize?: number;
  /** Longest wait before an idle batch is sent, ms (default 0: next event loop turn). */
  lingerMs?: number;
  /**
   * Upper bound on the summed `sizeOf` of one batch (default 768 KiB): keeps a batch under the broker's
   * message.max.bytes (1 MiB by default). A single larger message still goes alone.
   */
  maxBatchBytes?: number;
  /** Size of one message for `maxBatchBytes` (default: counts 0, i.e. only maxBatchSize applies). */
  sizeOf?: (message: M) => number;
  /** Produce calls outstanding at once (default 2). */
  maxInFlight?: number;
  /** A batch not settled after this many ms fails its messages with BATCH_TIMEOUT (default 5000). */
  timeoutMs?: number;
  /** Messages allowed to wait for a slot; beyond that `add()` fails fast with BATCHER_OVERLOADED (default 20 000). */
  maxQueued?: number;
  /** Observes each settled batch (size, duration in ms, error if any). */
  onBatch?: (size: number, durationMs: number, error?: unknown) => void;
}

interface Entry<M> {
  message: M;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class Batcher<M> {
  private queue: Entry<M>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly settledWaiters: (() => void)[] = [];
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private readonly maxBatchBytes: number;
  private readonly sizeOf: ((message: M) => number) | undefined;

  constructor(
    private readonly send: (messages: M[]) => Promise<void>,
    private readonly options: BatcherOptions<M> = {},
  ) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
    this.lingerMs = Math.max(0, options.lingerMs ?? 0);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 768 * 1024;
    this.sizeOf = options.sizeOf;
  }

  /** Messages waiting plus produce calls outstanding; zero means everything added so far has settled. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  add(message: M): Promise<void> {
    if (this.closed) return Promise.reject(new ConnectorError('BATCHER_CLOSED', 'batcher is closed'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new ConnectorError('BATCHER_OVERLOADED', `more than ${this.maxQueued} messages waiting to be produced`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.maxBatchSize) this.dispatch();
      else this.schedule();
    });
  }

  /** Sends whatever waits now and resolves once every message added so far has settled. */
  async flush(): Promise<void> {
    this.clearLinger();
    this.dispatch();
    while (this.pending > 0) {
      await new Promise<void>((resolve) => this.settledWaiters.push(resolve));
      this.dispatch();
    }
  }

  /** Refuses new messages, then flushes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const fire = () => {
      this.scheduled = false;
      this.lingerTimer = undefined;
      this.dispatch();
    };
    if (this.lingerMs === 0) setImmediate(fire);
    else this.lingerTimer = setTimeout(fire, this.lingerMs);
  }

  private clearLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.scheduled = false;
  }

  /** Starts as many produce calls as free slots allow; leftovers go when a slot frees up. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const count = this.takeCount();
      const batch = count === this.queue.length ? this.queue : this.queue.slice(0, count);
      this.queue = batch === this.queue ? [] : this.queue.slice(count);
      this.sendBatch(batch);
    }
    if (this.queue.length === 0) this.clearLinger();
  }

  /** How many queued messages the next batch takes (by count, then by bytes; always at least one). */
  private takeCount(): number {
    const limit = Math.min(this.queue.length, this.maxBatchSize);
    if (!this.sizeOf) return limit;
    let bytes = 0;
    for (let i = 0; i < limit; i++) {
      bytes += this.sizeOf(this.queue[i]!.message);
      if (bytes > this.maxBatchBytes) return Math.max(1, i);
    }
    return limit;
  }

  private sendBatch(batch: Entry<M>[]): void {
    this.inFlight++;
    const started = performance.now();
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.inFlight--;
      this.options.onBatch?.(batch.length, performance.now() - started, error);
      for (const entry of batch) {
        if (error === undefined) entry.resolve();
        else entry.reject(error);
      }
      // A freed slot takes everything that queued up meanwhile (this is where batches grow under load).
      this.dispatch();
      for (const waiter of this.settledWaiters.splice(0)) waiter();
    };
    const timer = setTimeout(
      () => finish(new ConnectorError('BATCH_TIMEOUT', `produce not acknowledged within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    let call: Promise<void>;
    try {
      call = this.send(batch.map((e) => e.message));
    } catch (error) {
      // A send that throws instead of rejecting fails its batch the same way (settled on a later tick, as a rejection).
      call = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    call.then(
      () => finish(),
      (error: unknown) => finish(error ?? new Error('produce failed')),
    );
  }
}
