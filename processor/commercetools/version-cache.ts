/**
 * Last known state of orders this process wrote (id, version, states), bounded LRU. Used only to skip the read
 * before a write: the write carries the cached version, so if anyone changed the order since, commercetools answers
 * ConcurrentModification and the caller re-reads. A cached state never justifies skipping a write — "nothing to
 * change" is always confirmed by a fresh read.
 */
import type { CtOrder } from './client.js';

export class OrderVersionCache {
  private readonly entries = new Map<string, CtOrder>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): CtOrder | undefined {
    const value = this.entries.get(key);
    if (value) {
      // Refresh recency.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, order: CtOrder): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, order);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
