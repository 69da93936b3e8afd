/** `topics describe`'s report (pure): per topic its partitions, configs, offsets and the processor group's lag. */
import type { TopicsState } from './admin.js';
import type { TopicKind } from './plan.js';

export interface PartitionReport {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  start: string;
  end: string;
  committed: string | null;
  lag: string | null;
}

export interface TopicReport {
  topic: string;
  kind: TopicKind;
  exists: boolean;
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
  messages?: string;
  lag?: string | null;
  partitionDetails?: PartitionReport[];
}

export interface GroupReport {
  groupId: string;
  /** False when Kafka knows nothing of it (Dead, no commits): no lag is shown then. */
  exists: boolean;
  state: string;
  members: number;
}

/** The `--json` document; the text rendering shows the same. */
export interface TopicsReport {
  group: GroupReport;
  topics: TopicReport[];
}

const REPORTED_CONFIGS = ['retention.ms', 'cleanup.policy', 'min.insync.replicas'] as const;

export function buildTopicsReport(
  named: readonly { topic: string; kind: TopicKind }[],
  groupId: string,
  state: TopicsState,
): TopicsReport {
  const hasCommits = [...state.committed.values()].some((m) => m.size > 0);
  // Kafka reports a never-seen group as Dead with no members; treat it as absent unless it has offsets.
  const groupExists = hasCommits || (state.group !== undefined && state.group.state !== 'Dead');
  const topics = named.map(({ topic, kind }) => topicReport(topic, kind, state, groupExists));
  return {
    group: { groupId, exists: groupExists, state: state.group?.state ?? 'Dead', members: state.group?.members ?? 0 },
    topics,
  };
}

function topicReport(topic: string, kind: TopicKind, state: TopicsState, groupExists: boolean): TopicReport {
  const found = state.existing.get(topic);
  if (!found) return { topic, kind, exists: false };
  const meta = state.metadata.find((t) => t.name === topic);
  const groupOffsets = state.committed.get(topic);
  let totalMessages = 0n;
  let totalLag = 0n;
  const details = (state.offsets.get(topic) ?? []).map((o): PartitionReport => {
    const m = meta?.partitions.find((p) => p.partitionId === o.partition);
    const c = groupOffsets?.get(o.partition);
    const lag = groupExists ? o.high - (c ?? o.low) : null;
    totalMessages += o.high - o.low;
    if (lag !== null) totalLag += lag;
    return {
      partition: o.partition,
      leader: m?.leader ?? -1,
      replicas: m?.replicas ?? [],
      isr: m?.isr ?? [],
      start: String(o.low),
      end: String(o.high),
      committed: c === undefined ? null : String(c),
      lag: lag === null ? null : String(lag),
    };
  });
  return {
    topic,
    kind,
    exists: true,
    partitions: found.partitions,
    replicationFactor: found.replicationFactor,
    configs: Object.fromEntries(
      REPORTED_CONFIGS.filter((k) => found.configs[k] !== undefined).map((k) => [k, found.configs[k] as string]),
    ),
    messages: String(totalMessages),
    lag: groupExists ? String(totalLag) : null,
    partitionDetails: details,
  };
}
