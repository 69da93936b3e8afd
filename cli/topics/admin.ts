/**
 * The Kafka side of `topics` (no printing): what the cluster has for the connector's topics and the processor's
 * group, and applying the changes `topics create` planned.
 */
import type { Admin, ITopicConfig, ITopicMetadata } from 'kafkajs';
import kafkajs from 'kafkajs';
import { createTopicsAndWait, partitionOffsets, whileRetriable, type PartitionOffsets } from '../kafka.js';
import type { DesiredTopic, ExistingTopic, TopicChanges } from './plan.js';

// kafkajs is CommonJS; this enum is not visible as a named ESM export.
const { ConfigResourceTypes } = kafkajs;

/** Partitions, replication factor and configs of those of `names` that exist. */
export async function fetchExistingTopics(admin: Admin, names: readonly string[]): Promise<Map<string, ExistingTopic>> {
  const all = new Set(await whileRetriable(() => admin.listTopics()));
  const present = names.filter((n) => all.has(n));
  const result = new Map<string, ExistingTopic>();
  if (present.length === 0) return result;
  const [metadata, configs] = await Promise.all([
    whileRetriable(() => admin.fetchTopicMetadata({ topics: present })),
    whileRetriable(() =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      }),
    ),
  ]);
  for (const t of metadata.topics) {
    const resource = configs.resources.find((r) => r.resourceName === t.name);
    result.set(t.name, {
      partitions: t.partitions.length,
      replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
      configs: Object.fromEntries((resource?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
    });
  }
  return result;
}

/** Creates and grows topics; returns a note when some were created concurrently by another process. */
export async function applyTopicChanges(admin: Admin, changes: TopicChanges): Promise<string | undefined> {
  const toCreate = changes.actions.filter((a) => a.action === 'create').map((a) => a.desired);
  const toGrow = changes.actions.filter((a) => a.action === 'grow').map((a) => a.desired);
  let note: string | undefined;
  if (toCreate.length > 0) {
    const created = await createTopicsAndWait(admin, toCreate.map(topicConfig));
    // Another process created them between our check and now: still idempotent, but say so.
    if (!created) note = 'some topics were created concurrently by another process.';
  }
  if (toGrow.length > 0) {
    await admin.createPartitions({ topicPartitions: toGrow.map((d) => ({ topic: d.topic, count: d.partitions })) });
  }
  return note;
}

function topicConfig(d: DesiredTopic): ITopicConfig {
  return {
    topic: d.topic,
    numPartitions: d.partitions,
    replicationFactor: d.replicationFactor,
    configEntries: Object.entries(d.configs).map(([name, value]) => ({ name, value })),
  };
}

/** Everything `topics describe` reports, as the cluster answered it. */
export interface TopicsState {
  readonly existing: ReadonlyMap<string, ExistingTopic>;
  /** The group as described; Kafka reports a never-seen group as Dead with no members. */
  readonly group: { readonly state: string; readonly members: number } | undefined;
  /** The group's committed offsets per existing topic (partitions without a commit left out). */
  readonly committed: ReadonlyMap<string, ReadonlyMap<number, bigint>>;
  readonly metadata: readonly ITopicMetadata[];
  readonly offsets: ReadonlyMap<string, readonly PartitionOffsets[]>;
}

export async function fetchTopicsState(admin: Admin, names: readonly string[], groupId: string): Promise<TopicsState> {
  const existing = await fetchExistingTopics(admin, names);
  const { groups } = await admin.describeGroups([groupId]);
  const described = groups.find((g) => g.groupId === groupId);
  const present = names.filter((n) => existing.has(n));
  const committed = new Map<string, Map<number, bigint>>();
  if (present.length > 0) {
    for (const t of await admin.fetchOffsets({ groupId, topics: present })) {
      committed.set(
        t.topic,
        new Map(t.partitions.filter((p) => BigInt(p.offset) >= 0n).map((p) => [p.partition, BigInt(p.offset)])),
      );
    }
  }
  const metadata = present.length > 0 ? (await admin.fetchTopicMetadata({ topics: present })).topics : [];
  const offsets = new Map<string, PartitionOffsets[]>();
  for (const topic of present) offsets.set(topic, await partitionOffsets(admin, topic));
  return {
    existing,
    group: described && { state: described.state, members: described.members.length },
    committed,
    metadata,
    offsets,
  };
}
