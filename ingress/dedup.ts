/**
 * Duplicate suppression for Fluent's retries (same event id, within ~14 s; docs/architecture.md, "Fluent"). A bounded
 * window of event ids whose records Kafka has acknowledged: a repeat within the window is answered 200 without
 * producing again.
 *
 * - Ids are recorded only AFTER the ack, so a failed produce never hides a later retry.
 * - Concurrent requests for the same id share one pending produce instead of producing twice.
 * - Bounded by entry count (oldest evicted first) and by age, so memory stays flat under any load.
 * The window is per process: with several replicas a retry landing on another replica is produced again, which the
 * processor's idempotent handling absorbs (at-least-once).
 */

export interface DedupOptions {
  /** Most event ids remembered (default 100 000, a few MB). 0 disables deduplication. */
  maxEntries?: number;
  /** How long an accepted id is remembered, ms (default 10 minutes; Fluent retries within ~14 s). */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export type DedupResult = 'produced' | 'duplicate';

export class DedupWindow {
  private readonly accepted = new Map<string, number>(); // id → accepted-at, insertion (= age) ordered
  private readonly pending = new Map<string, Promise<void>>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: DedupOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.ttlMs = options.ttlMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.accepted.size;
  }

  /** True when `id` was acknowledged within the window. */
  seen(id: string): boolean {
    const at = this.accepted.get(id);
    if (at === undefined) return false;
    if (this.now() - at > this.ttlMs) {
      this.accepted.delete(id);
      return false;
    }
    return true;
  }

  /**
   * Runs `produce` unless `id` was already acknowledged (→ 'duplicate') or is being produced right now (→ waits for
   * that attempt and reports its outcome: 'duplicate' on success, its error on failure).
   */
  async run(id: string, produce: () => Promise<void>): Promise<DedupResult> {
    if (this.maxEntries <= 0) {
      await produce();
      return 'produced';
    }
    if (this.seen(id)) return 'duplicate';
    const inFlight = this.pending.get(id);
    if (inFlight) {
      await inFlight;
      return 'duplicate';
    }
    const attempt = produce();
    this.pending.set(id, attempt);
    try {
      await attempt;
      this.remember(id);
      return 'produced';
    } finally {
      this.pending.delete(id);
    }
  }

  private remember(id: string): void {
    const now = this.now();
    this.accepted.delete(id);
    this.accepted.set(id, now);
    // Evict by age from the front (oldest first), then by count.
    for (const [oldId, at] of this.accepted) {
      if (now - at <= this.ttlMs && this.accepted.size <= this.maxEntries) break;
      this.accepted.delete(oldId);
    }
  }
}
