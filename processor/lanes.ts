/**
 * Scheduling bookkeeping (pure, no I/O): a counting semaphore for the global concurrency limit, per-key lanes that
 * run tasks of one key strictly one after another, and the per-partition commit frontier.
 */

/** Counting semaphore; waiters are served first come, first served. */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];
  private head = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`);
    this.available = limit;
  }

  /** Permits in use. */
  get inUse(): number {
    return this.limit - this.available;
  }

  /** Tasks waiting for a permit. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }

  acquire(): Promise<void> | undefined {
    if (this.available > 0) {
      this.available--;
      return undefined; // fast path: no promise allocation
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.waiters[this.head++] = undefined as unknown as () => void;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next(); // hand the permit over directly
      return;
    }
    this.available++;
  }
}

interface Lane {
  tail: Promise<unknown>;
  size: number;
}

/**
 * Per-key lanes: `run(key, task)` starts `task` once every earlier task of the same key has settled and a permit of
 * the shared semaphore is free. A waiting task holds no permit, so one busy key never starves the others.
 */
export class KeyedLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly limiter: Semaphore) {}

  /** Keys with queued or running work. */
  get activeKeys(): number {
    return this.lanes.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), size: 0 };
      this.lanes.set(key, lane);
    }
    const current = lane;
    const start = async (): Promise<T> => {
      const wait = this.limiter.acquire();
      if (wait) await wait;
      try {
        return await task();
      } finally {
        this.limiter.release();
      }
    };
    const result = current.size === 0 ? start() : current.tail.then(start, start);
    current.size++;
    current.tail = result.then(
      () => this.settle(key, current),
      () => this.settle(key, current),
    );
    return result;
  }

  private settle(key: string, lane: Lane): void {
    if (--lane.size === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
  }
}

/**
 * Commit frontier of one partition batch: offsets are tracked in fetch order; `complete` marks one done and returns
 * the highest offset below which everything is done, when that moved. Offsets are strings (int64).
 */
export class CommitFrontier {
  private readonly offsets: string[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly done: boolean[] = [];
  private next = 0; // index of the lowest offset not yet done

  track(offset: string): void {
    if (this.indexOf.has(offset)) throw new Error(`offset ${offset} is already tracked`);
    this.indexOf.set(offset, this.offsets.length);
    this.offsets.push(offset);
    this.done.push(false);
  }

  /** Marks `offset` done. Returns the new last contiguous done offset if the frontier advanced, else undefined. */
  complete(offset: string): string | undefined {
    const index = this.indexOf.get(offset);
    if (index === undefined) throw new Error(`offset ${offset} is not tracked`);
    this.done[index] = true;
    if (index !== this.next) return undefined;
    while (this.next < this.done.length && this.done[this.next]) this.next++;
    return this.offsets[this.next - 1];
  }

  /** Last offset such that it and everything before it is done (undefined if none). */
  get lastDone(): string | undefined {
    return this.next === 0 ? undefined : this.offsets[this.next - 1];
  }

  /** Lowest offset not yet done (undefined when all tracked offsets are done). */
  get lowestPending(): string | undefined {
    return this.offsets[this.next];
  }

  get pending(): number {
    return this.offsets.length - this.next;
  }

  get size(): number {
    return this.offsets.length;
  }
}
