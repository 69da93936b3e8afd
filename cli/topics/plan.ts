/**
 * What `topics create` wants (pure): the connector's topics with their partitions, replication and configs, and
 * how the cluster's existing topics differ from that (create, grow, or leave alone with a note).
 */
import type { TopicNames } from '../../schemas/index.js';
import { CliError, usageError } from '../errors.js';
import { formatDuration } from '../format.js';

export type TopicKind = 'main' | 'retry' | 'dlq';

/** Defaults, chosen for a production start that can grow: see cli/README.md. */
export const TOPIC_DEFAULTS = {
  /** 12 divides evenly across 1, 2, 3, 4, 6 and 12 processor instances. */
  partitions: 12,
  /** Main and retry tiers: a week covers a long outage plus time to notice. */
  retentionMs: 7 * 86_400_000,
  /** Dead letters wait for a human: 30 days. */
  dlqRetentionMs: 30 * 86_400_000,
  /** Replication factor: min(3, brokers in the cluster) unless given. */
  maxReplicationFactor: 3,
} as const;

export interface CreateOptions {
  partitions: number;
  dlqPartitions?: number;
  replicationFactor?: number;
  retention: number;
  retryRetention?: number;
  dlqRetention: number;
  increasePartitions?: boolean;
  dryRun?: boolean;
}

export interface DesiredTopic {
  readonly topic: string;
  readonly kind: TopicKind;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Record<string, string>;
}

/** A topic as the cluster has it. */
export interface ExistingTopic {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Record<string, string>;
}

/** The connector's topics in order: main, retry tiers, DLQ. */
export function namedTopics(topics: TopicNames): { topic: string; kind: TopicKind }[] {
  return [
    { topic: topics.webhooks, kind: 'main' },
    ...topics.retries.map((topic) => ({ topic, kind: 'retry' as const })),
    { topic: topics.dlq, kind: 'dlq' },
  ];
}

export function desiredTopics(topics: TopicNames, options: CreateOptions, brokerCount: number): DesiredTopic[] {
  const rf = options.replicationFactor ?? Math.min(TOPIC_DEFAULTS.maxReplicationFactor, brokerCount);
  if (rf > brokerCount) {
    throw new CliError(
      'REPLICATION_FACTOR',
      `replication factor ${rf} needs at least ${rf} brokers; the cluster has ${brokerCount}. ` +
        'Lower --replication-factor or add brokers.',
    );
  }
  const minIsr = rf >= 3 ? 2 : 1;
  const configs = (retention: number): Record<string, string> => ({
    'cleanup.policy': 'delete',
    'retention.ms': String(retention),
    'min.insync.replicas': String(minIsr),
  });
  const spec = (kind: TopicKind, partitions: number, retention: number) => ({
    kind,
    partitions,
    replicationFactor: rf,
    configs: configs(retention),
  });
  return namedTopics(topics).map(({ topic, kind }): DesiredTopic => {
    if (kind === 'main') return { topic, ...spec(kind, options.partitions, options.retention) };
    if (kind === 'retry')
      return { topic, ...spec(kind, options.partitions, options.retryRetention ?? options.retention) };
    return { topic, ...spec(kind, options.dlqPartitions ?? options.partitions, options.dlqRetention) };
  });
}

const DAY_MS = 86_400_000;

/**
 * Refuses (usage error) retry delays longer than the retention of their tier's topic — the retention `topics create`
 * would create it with, or the one an existing topic has: the broker could delete a record before it is due, a
 * silent loss. `delaysMs[i]` is tier i + 1's delay; tiers without a known delay and infinite retention (-1) pass.
 */
export function checkRetryRetention(
  desired: readonly DesiredTopic[],
  existing: ReadonlyMap<string, ExistingTopic>,
  delaysMs: readonly number[],
): void {
  const problems = desired
    .filter((d) => d.kind === 'retry')
    .flatMap((d, index) => {
      const delay = delaysMs[index];
      const found = existing.get(d.topic);
      const retention = Number((found ?? d).configs['retention.ms'] ?? Number.NaN);
      if (delay === undefined || !Number.isFinite(retention) || retention < 0 || delay <= retention) return [];
      const has = found ? 'has' : 'would be created with';
      return [
        `retry tier ${index + 1} (${d.topic}): delay ${formatDuration(delay)} is longer than the ` +
          `retention ${formatDuration(retention)} the topic ${has}; the broker could delete a record before it is due.`,
      ];
    });
  if (problems.length === 0) return;
  const longest = Math.max(...delaysMs);
  // A week above the longest delay, like the default retention: room for an outage plus time to notice.
  const suggested = formatDuration((Math.ceil(longest / DAY_MS) + 7) * DAY_MS);
  throw usageError(
    `RETRY_DELAYS do not fit the retry topics' retention:\n  - ${problems.join('\n  - ')}\n` +
      `Give the retry topics a longer retention (--retry-retention ${suggested}, or --retention for every topic; ` +
      'existing topics keep theirs: raise their retention.ms with kafka-configs), or shorten RETRY_DELAYS.',
  );
}

/** What happens to one topic; `found` is what the cluster has (absent for `create`). */
export type TopicAction =
  | { readonly action: 'create'; readonly desired: DesiredTopic }
  | { readonly action: 'grow'; readonly desired: DesiredTopic; readonly found: ExistingTopic }
  | { readonly action: 'exists'; readonly desired: DesiredTopic; readonly found: ExistingTopic };

export interface TopicChanges {
  readonly actions: readonly TopicAction[];
  /** Differences left alone, for the operator. */
  readonly notes: readonly string[];
}

export function planTopicChanges(
  desired: readonly DesiredTopic[],
  existing: ReadonlyMap<string, ExistingTopic>,
  options: { increasePartitions?: boolean | undefined },
): TopicChanges {
  const actions: TopicAction[] = [];
  const notes: string[] = [];
  for (const d of desired) {
    const found = existing.get(d.topic);
    if (!found) {
      actions.push({ action: 'create', desired: d });
      continue;
    }
    const grow = found.partitions < d.partitions && options.increasePartitions === true;
    actions.push({ action: grow ? 'grow' : 'exists', desired: d, found });
    notes.push(...differences(d, found, options.increasePartitions === true));
  }
  return { actions, notes };
}

function differences(d: DesiredTopic, found: ExistingTopic, increasePartitions: boolean): string[] {
  const notes: string[] = [];
  if (found.partitions < d.partitions && !increasePartitions) {
    notes.push(
      `${d.topic} has ${found.partitions} partitions, ${d.partitions} requested: run with --increase-partitions to ` +
        'add them (new records of an existing order may then land on another partition; drain the topic first ' +
        'if strict per-order ordering across the change matters).',
    );
  }
  if (found.partitions > d.partitions) {
    notes.push(
      `${d.topic} has ${found.partitions} partitions (more than the ${d.partitions} requested; Kafka cannot shrink).`,
    );
  }
  if (found.replicationFactor !== d.replicationFactor) {
    notes.push(
      `${d.topic} has replication factor ${found.replicationFactor}, ${d.replicationFactor} requested (not changed here; ` +
        'use kafka-reassign-partitions).',
    );
  }
  for (const [name, value] of Object.entries(d.configs)) {
    const current = found.configs[name];
    if (current !== undefined && current !== value) {
      const show = (v: string): string => (name === 'retention.ms' ? formatDuration(Number(v)) : v);
      notes.push(`${d.topic} ${name} is ${show(current)}, ${show(value)} requested (left unchanged).`);
    }
  }
  return notes;
}
