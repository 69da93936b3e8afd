/**
 * Values loaded from a downstream, kept per key for a TTL: one load per key and TTL (single flight), never per
 * message; while the source fails, the last good value is served stale (re-tried at most every `retryAfterErrorMs`),
 * so an outage of the source does not stop work whose inputs are already known. The order-status handler keeps the
 * Fluent settings of each retailer here.
 */
export interface TtlCacheOptions {
  /** How long a loaded value is fresh. */
  readonly ttlMs: number;
  /** After a failed load, serve the stale value this long before trying again. Default min(ttlMs, 5 s). */
  readonly retryAfterErrorMs?: number;
  /** Clock (tests). Default Date.now. */
  readonly now?: () => number;
  /** Called when a stale value is served because loading failed. */
  readonly onStale?: (key: string, error: unknown) => void;
  /** Most keys kept (oldest dropped). Default 10,000. */
  readonly maxEntries?: number;
}

interface Entry<T> {
  value?: T;
  hasValue: boolean;
  freshUntil: number;
  inflight?: Promise<T>;
}

export class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<T>,
    private readonly options: TtlCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get(key: string): Promise<T> {
    let entry = this.entries.get(key);
    if (entry?.hasValue && this.now() < entry.freshUntil) return Promise.resolve(entry.value as T);
    if (!entry) {
      entry = { hasValue: false, freshUntil: 0 };
      this.entries.set(key, entry);
      this.evict();
    }
    entry.inflight ??= this.refresh(key, entry);
    return entry.inflight;
  }

  /** Drops every cached value (e.g. after a settings change). */
  clear(): void {
    this.entries.clear();
  }

  private async refresh(key: string, entry: Entry<T>): Promise<T> {
    try {
      const value = await this.load(key);
      entry.value = value;
      entry.hasValue = true;
      entry.freshUntil = this.now() + this.options.ttlMs;
      return value;
    } catch (error) {
      if (!entry.hasValue) {
        this.entries.delete(key);
        throw error;
      }
      entry.freshUntil = this.now() + (this.options.retryAfterErrorMs ?? Math.min(this.options.ttlMs, 5_000));
      this.options.onStale?.(key, error);
      return entry.value as T;
    } finally {
      entry.inflight = undefined;
    }
  }

  private evict(): void {
    const max = this.options.maxEntries ?? 10_000;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
