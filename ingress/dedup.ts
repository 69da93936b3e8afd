/**
 * Duplicate suppression for Fluent's retries (same event id, within ~14 s; docs/architecture.md, "Fluent"). A bounded
 * window of event ids whose records Kafka has acknowledged: a repeat within the window is answered 200 without
 * producing again.
 *
 * - Ids are recorded only AFTER the ack, so a failed produce never hides a later retry.
 * - Concurrent requests for the same id share one pending produce instead of producing twice.
 * - An attempt answered 503 while its record is already inside a produce call (it may still be written) leaves its id
 *   "in doubt", tied to that call's outcome: a retry waits for it (at most `inDoubtWaitMs`, else 503 again without
 *   producing), is a duplicate if it was acknowledged (the id is then recorded) and produces normally if it failed.
 * - Bounded by entry count (oldest evicted first) and by age, so memory stays flat under any load.
 * The window is per process: with several replicas a retry landing on another replica is produced again, which the
 * processor's idempotent handling absorbs (at-least-once).
 */

import { ConnectorError } from '../common/index.js';

export interface DedupOptions {
  /** Most event ids remembered (default 100 000, a few MB). 0 disables deduplication. */
  maxEntries?: number;
  /** How long an accepted id is remembered, ms (default 10 minutes; Fluent retries within ~14 s). */
  ttlMs?: number;
  /** Longest a retry waits for the outcome of an in-doubt attempt before it is refused (default 5 s). */
  inDoubtWaitMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export type DedupResult = 'produced' | 'duplicate';

/** Handed to `produce`: call it with the produce call's final outcome when the attempt is answered before it. */
export type MarkInDoubt = (acknowledged: Promise<boolean>) => void;

interface InDoubt {
  readonly since: number;
  readonly acknowledged: Promise<boolean>;
}

export class DedupWindow {
  private readonly accepted = new Map<string, number>(); // id → accepted-at, insertion (= age) ordered
  private readonly pending = new Map<string, Promise<void>>();
  private readonly inDoubt = new Map<string, InDoubt>(); // insertion (= age) ordered, bounded like `accepted`
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly inDoubtWaitMs: number;
  private readonly now: () => number;

  constructor(options: DedupOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.ttlMs = options.ttlMs ?? 600_000;
    this.inDoubtWaitMs = options.inDoubtWaitMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.accepted.size;
  }

  /** Ids whose last attempt was answered while its produce call was still running. */
  get inDoubtSize(): number {
    return this.inDoubt.size;
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
   * that attempt and reports its outcome: 'duplicate' on success, its error on failure). While an earlier attempt is in
   * doubt it first waits for that attempt's produce call: 'duplicate' if acknowledged, PRODUCE_DEADLINE if still
   * unknown after `inDoubtWaitMs`, and a produce of its own if it failed.
   */
  async run(id: string, produce: (markInDoubt: MarkInDoubt) => Promise<void>): Promise<DedupResult> {
    if (this.maxEntries <= 0) {
      await produce(() => {});
      return 'produced';
    }
    for (;;) {
      if (this.seen(id)) return 'duplicate';
      const inFlight = this.pending.get(id);
      if (inFlight) {
        await inFlight;
        return 'duplicate';
      }
      const doubt = this.doubtOf(id);
      if (!doubt) break;
      if (await this.outcomeWithin(doubt.acknowledged)) return 'duplicate';
      // It failed: check again, a concurrent retry may have started the new attempt meanwhile.
    }
    const attempt = produce((acknowledged) => this.markInDoubt(id, acknowledged));
    this.pending.set(id, attempt);
    try {
      await attempt;
      this.remember(id);
      return 'produced';
    } finally {
      this.pending.delete(id);
    }
  }

  /** The in-doubt attempt of `id`, unless it aged out. */
  private doubtOf(id: string): InDoubt | undefined {
    const doubt = this.inDoubt.get(id);
    if (doubt && this.now() - doubt.since > this.ttlMs) {
      this.inDoubt.delete(id);
      return undefined;
    }
    return doubt;
  }

  private markInDoubt(id: string, acknowledged: Promise<boolean>): void {
    const doubt: InDoubt = { since: this.now(), acknowledged };
    this.inDoubt.delete(id);
    this.inDoubt.set(id, doubt);
    evictOld(this.inDoubt, doubt.since, this.ttlMs, this.maxEntries, (entry) => entry.since);
    void acknowledged.then((ok) => {
      if (this.inDoubt.get(id) === doubt) this.inDoubt.delete(id);
      if (ok) this.remember(id);
    });
  }

  /** The outcome of an in-doubt attempt, or PRODUCE_DEADLINE when it is not known within `inDoubtWaitMs`. */
  private async outcomeWithin(acknowledged: Promise<boolean>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ConnectorError(
              'PRODUCE_DEADLINE',
              `an earlier attempt of this event is still unconfirmed by Kafka after ${this.inDoubtWaitMs} ms`,
            ),
          ),
        this.inDoubtWaitMs,
      );
    });
    try {
      return await Promise.race([acknowledged, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(id: string): void {
    const now = this.now();
    this.accepted.delete(id);
    this.accepted.set(id, now);
    evictOld(this.accepted, now, this.ttlMs, this.maxEntries, (at) => at);
  }
}

/** Evicts from the front of an age-ordered map (oldest first): entries past `ttlMs`, then beyond `maxEntries`. */
function evictOld<V>(map: Map<string, V>, now: number, ttlMs: number, maxEntries: number, ageOf: (v: V) => number) {
  for (const [id, value] of map) {
    if (now - ageOf(value) <= ttlMs && map.size <= maxEntries) break;
    map.delete(id);
  }
}
