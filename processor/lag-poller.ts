/**
 * Consumer lag, polled on a timer of its own: end offsets minus the group's committed offsets for the partitions this
 * member holds, and the dead-letter topic's size. Batches do not drive it, so the lag keeps rising while the member
 * is paused for an outage (no batches finish then) and drops as soon as commits land. Series of partitions the member
 * no longer holds are removed on every new assignment (`assigned`), so a rebalance leaves no stale lag behind; the
 * sum over members is the group's lag. Each member reports the DLQ size (take the max across members).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessageOf } from '../common/errors.js';
import type { ProcessorMetrics } from './metrics.js';

export interface LagPollerOptions {
  /** Connected by the first poll (again after a failure), disconnected by `stop`. */
  readonly admin: Pick<Admin, 'connect' | 'disconnect' | 'fetchOffsets' | 'fetchTopicOffsets'>;
  readonly groupId: string;
  readonly topics: { readonly webhooks: string; readonly retries: readonly string[]; readonly dlq: string };
  readonly metrics: Pick<ProcessorMetrics, 'consumerLag' | 'dlqRecords' | 'lagPollErrors'>;
  readonly logger: Logger;
  readonly intervalMs: number;
}

/** KafkaJS GROUP_JOIN memberAssignment: topic → partition ids. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

export class LagPoller {
  private assignment: Assignment = {};
  /** Partitions with a lag series, by "topic/partition". */
  private readonly series = new Map<string, { topic: string; partition: string; kind: string }>();
  private readonly kindOf = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private failing = false;
  private connected = false;

  constructor(private readonly options: LagPollerOptions) {
    this.kindOf.set(options.topics.webhooks, 'main');
    options.topics.retries.forEach((topic, i) => this.kindOf.set(topic, `retry-${i + 1}`));
  }

  /** Polls now and every `intervalMs` (a poll still running skips a tick). */
  start(): void {
    this.timer = setInterval(() => void this.pollOnce(), this.options.intervalMs);
    this.timer.unref();
    void this.pollOnce();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    if (this.connected) await this.options.admin.disconnect().catch(() => undefined);
    this.connected = false;
  }

  /** The member's new assignment: series of partitions it no longer holds are removed at once. */
  assigned(assignment: Assignment): void {
    this.assignment = assignment;
    for (const [id, labels] of this.series) {
      if (assignment[labels.topic]?.includes(Number(labels.partition))) continue;
      this.options.metrics.consumerLag.remove(labels);
      this.series.delete(id);
    }
    // The new partitions get their series now rather than a whole interval later.
    if (this.timer) void this.pollOnce();
  }

  /** One poll (also what the timer runs); never rejects: a failure is counted and logged once per failing spell. */
  pollOnce(): Promise<void> {
    this.polling ??= this.poll()
      .then(
        () => {
          if (this.failing) this.options.logger.info('lag poll succeeded again');
          this.failing = false;
        },
        (error: unknown) => {
          this.options.metrics.lagPollErrors.inc();
          this.connected = false;
          if (!this.failing) this.options.logger.warn({ err: errorMessageOf(error) }, 'lag poll failed; will retry');
          this.failing = true;
        },
      )
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  private async poll(): Promise<void> {
    const { admin, groupId, topics, metrics } = this.options;
    if (!this.connected) {
      await admin.connect();
      this.connected = true;
    }
    const held = Object.entries(this.assignment).filter(([topic, ids]) => this.kindOf.has(topic) && ids.length > 0);
    const [committed, dlq, ...ends] = await Promise.all([
      held.length > 0 ? admin.fetchOffsets({ groupId, topics: held.map(([topic]) => topic) }) : [],
      admin.fetchTopicOffsets(topics.dlq),
      ...held.map(([topic]) => admin.fetchTopicOffsets(topic)),
    ]);
    metrics.dlqRecords.set(dlq.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Number(p.low)), 0));
    held.forEach(([topic, ids], i) => {
      const commits = new Map(
        committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, Number(p.offset)]),
      );
      for (const end of ends[i] ?? []) {
        if (!ids.includes(end.partition) || !this.stillHeld(topic, end.partition)) continue;
        // Nothing committed yet (-1): the group reads from the earliest offset retained.
        const commit = commits.get(end.partition) ?? -1;
        const from = commit >= 0 ? commit : Number(end.low);
        this.set(topic, end.partition, Math.max(0, Number(end.high) - from));
      }
    });
  }

  /** A rebalance during the poll may have taken the partition away: never bring its series back. */
  private stillHeld(topic: string, partition: number): boolean {
    return this.assignment[topic]?.includes(partition) ?? false;
  }

  private set(topic: string, partition: number, lag: number): void {
    const labels = { topic, partition: String(partition), kind: this.kindOf.get(topic) ?? 'main' };
    this.series.set(`${topic}/${partition}`, labels);
    this.options.metrics.consumerLag.set(labels, lag);
  }
}
