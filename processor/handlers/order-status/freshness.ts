/**
 * Whether the Fluent order the handler holds is recent enough to write over a commercetools order (docs/architecture.md,
 * "Processing semantics"). Another member (evicted, partitioned, or overlapping in a rebalance) may have applied a
 * newer Fluent status between our Fluent read and our commercetools read; writing the older status with the fresh
 * version would succeed and move the order back. So the Fluent order is trusted only for a commercetools version it
 * was read after: the version this process last wrote or read (the version cache; lanes run one order's records one
 * after another, so that entry predates our Fluent read, and a write at that version fails if anyone wrote since), or
 * a version read before a re-fetch. Any other version is
 * re-checked with a Fluent read made after the commercetools read, but only when a write would follow (no write, no
 * regression). After a conflict the Fluent order is always fetched again.
 */
export class FluentFreshness {
  private conflicted = false;

  /** @param trustedVersion the version in this process's version cache before the Fluent read, if any */
  constructor(private trustedVersion: number | undefined) {}

  /** True when the Fluent order must be fetched again before acting on the commercetools order at `version`. */
  mustRefetch(version: number, wouldWrite: boolean): boolean {
    return this.conflicted || (wouldWrite && version !== this.trustedVersion);
  }

  /** The Fluent order was fetched after the commercetools order at `version` was read. */
  refetched(version: number): void {
    this.trustedVersion = version;
    this.conflicted = false;
  }

  /** Someone wrote the order since we read it: the next commercetools read needs a Fluent read after it. */
  conflict(): void {
    this.conflicted = true;
  }
}
