/**
 * Coalesces concurrent produce requests into few produce calls (docs/architecture.md, "The job": requests arriving
 * together are produced together). Each `add()` resolves when the batch holding its message is acknowledged and rejects
 * when that batch fails: one batch = one produce call = one fate.
 *
 * Batches form naturally under load: while `maxInFlight` produce calls are outstanding, new messages wait and leave
 * together in the next call. When idle, a message waits at most `lingerMs` (0 = until the end of the current event
 * loop turn, so requests parsed in the same I/O phase still share a call).
 *
 * Every message has a deadline, `deadlineMs` after `add()`: a hung broker cannot make a request wait for the produce
 * calls queued ahead of it. A message still waiting at its deadline leaves the queue and is never produced; one already
 * handed to a produce call cannot be withdrawn, so it is answered at its deadline and may still be written: `add()`'s
 * `onInDoubt` is then told that call's final outcome, so the caller can tie a retry to it instead of writing the record
 * twice. The queue is bounded by count and by bytes, so a hung broker cannot exhaust memory.
 *
 * Its failures are ConnectorErrors with codes PRODUCE_DEADLINE, BATCH_TIMEOUT, BATCHER_OVERLOADED and BATCHER_CLOSED;
 * a failed produce call rejects with the producer's own error.
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
  /** Size of one message for `maxBatchBytes` and `maxQueuedBytes` (default: counts 0, i.e. only counts apply). */
  sizeOf?: (message: M) => number;
  /** Produce calls outstanding at once (default 2). */
  maxInFlight?: number;
  /** A produce call not settled after this many ms fails its messages with BATCH_TIMEOUT and frees its slot (5000). */
  timeoutMs?: number;
  /**
   * A message not acknowledged this many ms after `add()` fails with PRODUCE_DEADLINE, whether it still waits (it
   * then leaves the queue unsent) or is in a produce call (default: `timeoutMs`).
   */
  deadlineMs?: number;
  /** Messages allowed to wait for a slot; beyond that `add()` fails fast with BATCHER_OVERLOADED (default 20 000). */
  maxQueued?: number;
  /**
   * Summed `sizeOf` of the waiting messages; a message that would exceed it fails fast with BATCHER_OVERLOADED
   * (default 64 MiB). An empty queue takes any one message.
   */
  maxQueuedBytes?: number;
  /** Observes each settled batch (size, duration in ms, error if any). */
  onBatch?: (size: number, durationMs: number, error?: unknown) => void;
}

interface Entry<M> {
  readonly message: M;
  readonly bytes: number;
  /** performance.now() at which the entry fails with PRODUCE_DEADLINE. */
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly onInDoubt: InDoubtListener | undefined;
  /** Set once the entry is handed to a produce call: that call's final outcome (true = acknowledged). */
  produced?: Promise<boolean>;
}

/**
 * Told when a message is answered (deadline, batch timeout) while its produce call is still running, so it may yet
 * be written: `acknowledged` settles with that call's final outcome (true = acknowledged), never rejects.
 */
export type InDoubtListener = (acknowledged: Promise<boolean>) => void;

export class Batcher<M> {
  private queue: Entry<M>[] = [];
  private queuedBytes = 0;
  /** Entries not answered yet (waiting or in a produce call), in the order they were added, i.e. by deadline. */
  private readonly unanswered = new Set<Entry<M>>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly settledWaiters: (() => void)[] = [];
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly maxQueued: number;
  private readonly maxQueuedBytes: number;
  private readonly maxBatchBytes: number;
  private readonly sizeOf: (message: M) => number;

  constructor(
    private readonly send: (messages: M[]) => Promise<void>,
    private readonly options: BatcherOptions<M> = {},
  ) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
    this.lingerMs = Math.max(0, options.lingerMs ?? 0);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.deadlineMs = options.deadlineMs ?? this.timeoutMs;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.maxBatchBytes = options.maxBatchBytes ?? 768 * 1024;
    this.sizeOf = options.sizeOf ?? (() => 0);
  }

  /** Messages waiting plus produce calls outstanding; zero means everything added so far has settled. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  add(message: M, onInDoubt?: InDoubtListener): Promise<void> {
    const bytes = this.sizeOf(message);
    const refusal = this.refusal(bytes);
    if (refusal) return Promise.reject(refusal);
    return new Promise<void>((resolve, reject) => {
      const deadline = performance.now() + this.deadlineMs;
      const entry: Entry<M> = { message, bytes, deadline, resolve, reject, onInDoubt };
      this.queue.push(entry);
      this.queuedBytes += bytes;
      this.unanswered.add(entry);
      this.armDeadline();
      if (this.queue.length >= this.maxBatchSize) this.dispatch();
      else this.schedule();
    });
  }

  /** Why a message of `bytes` cannot join the queue now, if it cannot. */
  private refusal(bytes: number): ConnectorError | undefined {
    if (this.closed) return new ConnectorError('BATCHER_CLOSED', 'batcher is closed');
    if (this.queue.length >= this.maxQueued) {
      return new ConnectorError('BATCHER_OVERLOADED', `more than ${this.maxQueued} messages waiting to be produced`);
    }
    if (this.queue.length > 0 && this.queuedBytes + bytes > this.maxQueuedBytes) {
      return new ConnectorError('BATCHER_OVERLOADED', `more than ${this.maxQueuedBytes} bytes waiting to be produced`);
    }
    return undefined;
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
    // A slot freed by a batch timeout and a deadline due at the same moment: never hand a late message to a produce.
    this.expireDue();
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.takeBatch(this.takeCount());
      this.sendBatch(batch);
    }
    if (this.queue.length === 0) this.clearLinger();
  }

  /** Removes the first `count` waiting entries from the queue. */
  private takeBatch(count: number): Entry<M>[] {
    const batch = count === this.queue.length ? this.queue : this.queue.slice(0, count);
    this.queue = batch === this.queue ? [] : this.queue.slice(count);
    for (const entry of batch) this.queuedBytes -= entry.bytes;
    return batch;
  }

  /** How many queued messages the next batch takes (by count, then by bytes; always at least one). */
  private takeCount(): number {
    const limit = Math.min(this.queue.length, this.maxBatchSize);
    let bytes = 0;
    for (let i = 0; i < limit; i++) {
      bytes += this.queue[i]!.bytes;
      if (bytes > this.maxBatchBytes) return Math.max(1, i);
    }
    return limit;
  }

  /** Settles an entry once: a later settlement (its batch finishing after its deadline) is ignored. */
  private answer(entry: Entry<M>, error?: unknown): void {
    if (!this.unanswered.delete(entry)) return;
    if (error === undefined) entry.resolve();
    else entry.reject(error);
    if (this.unanswered.size === 0) this.clearDeadline();
  }

  /** Answers an entry with an error before its produce call settled: if it is in one, its outcome is in doubt. */
  private answerEarly(entry: Entry<M>, error: unknown): void {
    if (!this.unanswered.has(entry)) return;
    if (entry.produced) entry.onInDoubt?.(entry.produced);
    this.answer(entry, error);
  }

  /** One timer for all deadlines: entries are added in deadline order, so it waits for the oldest unanswered one. */
  private armDeadline(): void {
    if (this.deadlineTimer) return;
    const [oldest] = this.unanswered;
    if (!oldest) return;
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        this.expireDue();
        this.notifySettled();
        this.armDeadline();
      },
      Math.max(0, oldest.deadline - performance.now()),
    );
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  /** Fails every entry past its deadline; the ones still waiting leave the queue, so they are never produced. */
  private expireDue(): void {
    const now = performance.now();
    for (const entry of this.unanswered) {
      if (entry.deadline > now) break;
      this.answerEarly(
        entry,
        new ConnectorError(
          'PRODUCE_DEADLINE',
          `not acknowledged by Kafka within ${this.deadlineMs} ms of joining the produce queue`,
        ),
      );
    }
    // Waiting entries are younger than those in produce calls, so the expired ones are the head of the queue.
    let expired = 0;
    while (expired < this.queue.length && !this.unanswered.has(this.queue[expired]!)) expired++;
    if (expired > 0) this.takeBatch(expired);
  }

  private notifySettled(): void {
    for (const waiter of this.settledWaiters.splice(0)) waiter();
  }

  private sendBatch(batch: Entry<M>[]): void {
    this.inFlight++;
    const started = performance.now();
    let done = false;
    const finish = (error?: unknown, callSettled = true) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.inFlight--;
      this.options.onBatch?.(batch.length, performance.now() - started, error);
      for (const entry of batch) {
        if (callSettled) this.answer(entry, error);
        else this.answerEarly(entry, error);
      }
      // A freed slot takes everything that queued up meanwhile (this is where batches grow under load).
      this.dispatch();
      this.notifySettled();
    };
    const timer = setTimeout(
      () => finish(new ConnectorError('BATCH_TIMEOUT', `produce not acknowledged within ${this.timeoutMs} ms`), false),
      this.timeoutMs,
    );
    let call: Promise<void>;
    try {
      call = this.send(batch.map((e) => e.message));
    } catch (error) {
      // A send that throws instead of rejecting fails its batch the same way (settled on a later tick, as a rejection).
      call = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const acknowledged = call.then(
      () => true,
      () => false,
    );
    for (const entry of batch) entry.produced = acknowledged;
    call.then(
      () => finish(),
      (error: unknown) => finish(error ?? new Error('produce failed')),
    );
  }
}
