/**
 * Coalesces point reads issued by concurrently running handlers: reads of one tenant (a Fluent account, a
 * commercetools project + store + credentials) that arrive within a short window become one `loadBatch` call, so
 * PROCESSOR_CONCURRENCY handlers cost one downstream request per tenant and window instead of one per record.
 *
 * Each batch is one DataLoader (cache off: every batch is a fresh read) whose dispatch this module owns: it fires at
 * the end of the window or as soon as the batch holds `maxBatchSize` distinct keys, whichever comes first, and only
 * once. DataLoader's own maxBatchSize is not used: it starts a new batch but leaves the full one waiting for its window.
 */
import DataLoader from 'dataloader';
import { RetryableError } from '../errors.js';

export interface ReadCoalescerOptions<K, V> {
  /** Name for errors/metrics, e.g. 'fluent orders' */
  readonly name: string;
  /** How long the first read of a batch waits for others, ms. Default 2. 0 = flush at the end of the current tick. */
  readonly windowMs?: number;
  /** A batch is sent as soon as it holds this many distinct keys. Default 100. */
  readonly maxBatchSize?: number;
  /** Stable string of a key (dedup within a batch and result lookup). Default String(key). */
  readonly keyId?: (key: K) => string;
  /** Reads one batch of distinct keys for one tenant. Return per key: the value, null (not found), or an Error
   *  (that key fails alone). A key absent from the map = not found. Throwing fails every read of the batch with that error. */
  readonly loadBatch: (
    tenant: string,
    keys: readonly K[],
    signal: AbortSignal,
    batch: BatchContext,
  ) => Promise<ReadonlyMap<string, V | null | Error>>;
  /** Called once per batch sent (metrics: batch size histogram). Must not throw: an error fails the batch. */
  readonly onBatch?: (tenant: string, size: number) => void;
}

/** What a batch knows of the reads it serves. */
export interface BatchContext {
  /**
   * The correlation ids the reads of the batch were given, distinct, in arrival order (reads without one add none). A
   * batch serving one record can send that record's id downstream; one serving many sends an id of its own.
   */
  readonly correlationIds: readonly string[];
}

/** The id to send downstream for a batch: its one record's, or undefined (the client generates one) for several. */
export function soleCorrelationId(batch: BatchContext): string | undefined {
  return batch.correlationIds.length === 1 ? batch.correlationIds[0] : undefined;
}

/**
 * A tenant string made of parts, unambiguous whatever the parts contain (('a:b', 'c') ≠ ('a', 'b:c')). Use
 * identifiers (account id, project key, client id), never a secret: the tenant reaches `onBatch` and `loadBatch`.
 */
export function tenantKey(...parts: string[]): string {
  return JSON.stringify(parts);
}

interface BatchSettings<K, V> {
  readonly name: string;
  readonly windowMs: number;
  readonly loadBatch: ReadCoalescerOptions<K, V>['loadBatch'];
  readonly onBatch: ReadCoalescerOptions<K, V>['onBatch'];
}

/** A distinct key of a batch and how many reads still wait for it. */
interface WaitedKey<K> {
  readonly key: K;
  readers: number;
}

/** One tenant's batch: collects reads until flushed, then sends the keys some read still waits for. */
class Batch<K, V> {
  /** Distinct keys by id that at least one read still waits for. */
  private readonly waited = new Map<string, WaitedKey<K>>();
  private readers = 0;
  private readonly correlationIds = new Set<string>();
  private flushed = false;
  private readonly aborter = new AbortController();
  // Keyed by key id, so DataLoader's results line up with the ids `loadBatch` answers with.
  private readonly loader: DataLoader<string, V | null>;
  private dispatch: (() => void) | undefined;
  private readonly cancelTimer: () => void;

  constructor(
    private readonly tenant: string,
    private readonly settings: BatchSettings<K, V>,
    private readonly onFlush: () => void,
  ) {
    this.loader = new DataLoader<string, V | null>((ids) => this.send(ids), {
      cache: false,
      name: settings.name,
      // Only flush() dispatches, so a batch is sent once, whether its window ended or it filled up first.
      batchScheduleFn: (dispatch) => {
        this.dispatch = dispatch;
      },
    });
    if (settings.windowMs > 0) {
      const timer = setTimeout(() => this.flush(), settings.windowMs);
      this.cancelTimer = () => clearTimeout(timer);
    } else {
      // After this turn's promise jobs and I/O callbacks: reads issued on the way still join.
      const immediate = setImmediate(() => this.flush());
      this.cancelTimer = () => clearImmediate(immediate);
    }
  }

  /** Distinct keys some read still waits for. */
  get size(): number {
    return this.waited.size;
  }

  add(id: string, key: K, correlationId: string | undefined): Promise<V | null> {
    if (correlationId !== undefined) this.correlationIds.add(correlationId);
    const entry = this.waited.get(id);
    if (entry) entry.readers += 1;
    else this.waited.set(id, { key, readers: 1 });
    this.readers += 1;
    return this.loader.load(id);
  }

  /** A read of `id` stopped waiting (its signal aborted). */
  leave(id: string): void {
    const entry = this.waited.get(id);
    if (!entry) return;
    this.readers -= 1;
    entry.readers -= 1;
    // Not sent yet: a key nobody waits for is left out of the request.
    if (entry.readers === 0 && !this.flushed) this.waited.delete(id);
    // Sent: the request is cancelled only when no read wants any of its answers.
    if (this.readers === 0 && this.flushed) this.aborter.abort(abortedError(this.settings.name, undefined));
  }

  flush(): void {
    if (this.flushed) return;
    this.flushed = true;
    this.cancelTimer();
    this.onFlush();
    this.dispatch?.();
  }

  private async send(ids: readonly string[]): Promise<Array<V | null | Error>> {
    const { name, loadBatch, onBatch } = this.settings;
    const keys = [...this.waited.values()].map((entry) => entry.key);
    // Every read aborted before the window ended and has been rejected already: nothing to fetch.
    if (keys.length === 0) return ids.map(() => abortedError(name, undefined));
    onBatch?.(this.tenant, keys.length);
    const context: BatchContext = { correlationIds: [...this.correlationIds] };
    const results: unknown = await loadBatch(this.tenant, keys, this.aborter.signal, context);
    if (!(results instanceof Map)) {
      // The type only: the value itself may hold downstream data.
      const got = Object.prototype.toString.call(results);
      throw new TypeError(`${name}: loadBatch must resolve to a Map of key id → value, got ${got}`);
    }
    const answers = results as ReadonlyMap<string, V | null | Error | undefined>;
    return ids.map((id) => answers.get(id) ?? null);
  }
}

function abortedError(name: string, reason: unknown): RetryableError {
  return new RetryableError(`${name}: aborted (shutting down)`, reason === undefined ? {} : { cause: reason });
}

export class ReadCoalescer<K, V> {
  /** The batch of each tenant that reads can still join. */
  private readonly open = new Map<string, Batch<K, V>>();
  private readonly settings: BatchSettings<K, V>;
  private readonly maxBatchSize: number;
  private readonly keyId: (key: K) => string;

  constructor(options: ReadCoalescerOptions<K, V>) {
    const windowMs = options.windowMs ?? 2;
    const maxBatchSize = options.maxBatchSize ?? 100;
    if (!Number.isFinite(windowMs) || windowMs < 0) {
      throw new RangeError(`${options.name}: windowMs must be a finite number ≥ 0, got ${windowMs}`);
    }
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError(`${options.name}: maxBatchSize must be an integer ≥ 1, got ${maxBatchSize}`);
    }
    this.settings = { name: options.name, windowMs, loadBatch: options.loadBatch, onBatch: options.onBatch };
    this.maxBatchSize = maxBatchSize;
    this.keyId = options.keyId ?? String;
  }

  /**
   * One read. Resolves with the value or null; rejects with the batch's error or the key's own Error. `correlationId`
   * (e.g. the record's event id) reaches `loadBatch` in the batch's context.
   */
  load(tenant: string, key: K, signal?: AbortSignal, correlationId?: string): Promise<V | null> {
    if (signal?.aborted) return Promise.reject(abortedError(this.settings.name, signal.reason));
    const batch = this.openBatch(tenant);
    const id = this.keyId(key);
    const result = batch.add(id, key, correlationId);
    const read = signal ? this.abortable(result, signal, () => batch.leave(id)) : result;
    if (batch.size >= this.maxBatchSize) batch.flush();
    return read;
  }

  private openBatch(tenant: string): Batch<K, V> {
    const current = this.open.get(tenant);
    if (current) return current;
    const batch: Batch<K, V> = new Batch(tenant, this.settings, () => {
      if (this.open.get(tenant) === batch) this.open.delete(tenant);
    });
    this.open.set(tenant, batch);
    return batch;
  }

  /** `result`, or a rejection as soon as `signal` aborts (the batch carries on for its other reads). */
  private abortable(result: Promise<V | null>, signal: AbortSignal, leave: () => void): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        leave();
        reject(abortedError(this.settings.name, signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      result.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
    });
  }
}
