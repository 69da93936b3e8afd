/**
 * `topics create` provisions the main, retry-tier and DLQ topics (idempotent; reports what changed) and
 * `topics describe` shows partitions, replication, configs, offsets and the processor group's lag.
 */
import { Command, Option } from 'commander';
import type { Admin, ITopicConfig } from 'kafkajs';
import kafkajs from 'kafkajs';
import { CliError, ExitCode } from '../errors.js';
import { dash, formatDuration, table } from '../format.js';
import { println, type CliIo } from '../io.js';
import { createTopicsAndWait, partitionOffsets, whileRetriable } from '../kafka.js';
import { intParser, parseDuration } from '../parse.js';
import { withSession, type Session } from '../session.js';

type TopicKind = 'main' | 'retry' | 'dlq';

// kafkajs is CommonJS; this enum is not visible as a named ESM export.
const { ConfigResourceTypes } = kafkajs;

/** Defaults, chosen for a production start that can grow: see README "Operations CLI". */
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

interface CreateOptions {
  partitions: number;
  dlqPartitions?: number;
  replicationFactor?: number;
  retention: number;
  retryRetention?: number;
  dlqRetention: number;
  increasePartitions?: boolean;
  dryRun?: boolean;
}

interface DesiredTopic {
  topic: string;
  kind: TopicKind;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

const EXAMPLES_CREATE = `
Examples:
  $ fc-connector topics create
  $ fc-connector topics create --partitions 24 --replication-factor 3 --dlq-retention 60d
  $ fc-connector topics create --dry-run
  $ fc-connector topics create --partitions 24 --increase-partitions   # grow existing topics

Defaults: ${TOPIC_DEFAULTS.partitions} partitions for every topic, replication factor min(3, brokers),
retention 7d (main and retry tiers) and 30d (DLQ), cleanup.policy=delete, min.insync.replicas 2 when
the replication factor is 3 or more (else 1). Retry tier count = number of RETRY_DELAYS entries.
Existing topics are never shrunk or reconfigured; differences are reported.`;

const EXAMPLES_DESCRIBE = `
Examples:
  $ fc-connector topics describe
  $ fc-connector topics describe --group fc-connector-processor --json`;

export function topicsCommand(io: CliIo): Command {
  const topics = new Command('topics').description(
    'provision and inspect the connector topics (main, retry tiers, DLQ)',
  );

  topics
    .command('create')
    .description('create the main, retry-tier and DLQ topics; idempotent, prints what changed')
    .addOption(
      new Option('--partitions <n>', 'partitions for main and retry topics')
        .argParser(intParser(1, 10_000))
        .default(TOPIC_DEFAULTS.partitions),
    )
    .addOption(
      new Option('--dlq-partitions <n>', 'partitions for the DLQ (default: --partitions)').argParser(
        intParser(1, 10_000),
      ),
    )
    .addOption(
      new Option(
        '--replication-factor <n>',
        'replication factor (default: min(3, brokers); use 3 in production)',
      ).argParser(intParser(1, 32)),
    )
    .addOption(
      new Option('--retention <duration>', 'retention of the main topic, e.g. 7d or ms')
        .argParser(parseDuration)
        .default(TOPIC_DEFAULTS.retentionMs, '7d'),
    )
    .addOption(
      new Option('--retry-retention <duration>', 'retention of retry topics (default: --retention)').argParser(
        parseDuration,
      ),
    )
    .addOption(
      new Option('--dlq-retention <duration>', 'retention of the DLQ')
        .argParser(parseDuration)
        .default(TOPIC_DEFAULTS.dlqRetentionMs, '30d'),
    )
    .option('--increase-partitions', 'add partitions to existing topics that have fewer than requested')
    .option('--dry-run', 'show what would change without changing anything')
    .addHelpText('after', EXAMPLES_CREATE)
    .action(async (options: CreateOptions, command: Command) => {
      await withSession(io, command, (session) => createTopics(session, options));
    });

  topics
    .command('describe')
    .description('show partitions, replication, configs, offsets and consumer group lag')
    .option('--json', 'print one JSON document')
    .addHelpText('after', EXAMPLES_DESCRIBE)
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSession(io, command, (session) => describeTopics(session, options));
    });

  return topics;
}

function desiredTopics(session: Session, options: CreateOptions, brokerCount: number): DesiredTopic[] {
  const rf = options.replicationFactor ?? Math.min(TOPIC_DEFAULTS.maxReplicationFactor, brokerCount);
  if (rf > brokerCount) {
    throw new CliError(
      `replication factor ${rf} needs at least ${rf} brokers; the cluster has ${brokerCount}. ` +
        'Lower --replication-factor or add brokers.',
      ExitCode.usage,
      'REPLICATION_FACTOR',
    );
  }
  const minIsr = rf >= 3 ? 2 : 1;
  const configs = (retention: number): Record<string, string> => ({
    'cleanup.policy': 'delete',
    'retention.ms': String(retention),
    'min.insync.replicas': String(minIsr),
  });
  const { webhooks, retries, dlq } = session.settings.topics;
  return [
    {
      topic: webhooks,
      kind: 'main',
      partitions: options.partitions,
      replicationFactor: rf,
      configs: configs(options.retention),
    },
    ...retries.map((topic): DesiredTopic => ({
      topic,
      kind: 'retry',
      partitions: options.partitions,
      replicationFactor: rf,
      configs: configs(options.retryRetention ?? options.retention),
    })),
    {
      topic: dlq,
      kind: 'dlq',
      partitions: options.dlqPartitions ?? options.partitions,
      replicationFactor: rf,
      configs: configs(options.dlqRetention),
    },
  ];
}

interface ExistingTopic {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

async function existingTopics(admin: Admin, names: readonly string[]): Promise<Map<string, ExistingTopic>> {
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

function describeConfig(configs: Record<string, string>): string {
  const retention = configs['retention.ms'];
  return `retention ${retention === undefined ? '-' : formatDuration(Number(retention))}`;
}

async function createTopics(session: Session, options: CreateOptions): Promise<void> {
  const { admin } = session.client;
  const { out, dryRun } = { out: session.io.stdout, dryRun: options.dryRun === true };
  const cluster = await admin.describeCluster();
  const desired = desiredTopics(session, options, cluster.brokers.length);
  const existing = await existingTopics(
    admin,
    desired.map((d) => d.topic),
  );
  const toCreate = desired.filter((d) => !existing.has(d.topic));
  const toGrow: DesiredTopic[] = [];
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const d of desired) {
    const found = existing.get(d.topic);
    const wanted = `${d.partitions} partitions, rf ${d.replicationFactor}, ${describeConfig(d.configs)}`;
    if (!found) {
      lines.push([dryRun ? 'would create' : 'created', d.kind, d.topic, wanted]);
      continue;
    }
    const have = `${found.partitions} partitions, rf ${found.replicationFactor}, ${describeConfig(found.configs)}`;
    if (found.partitions < d.partitions) {
      if (options.increasePartitions) {
        toGrow.push(d);
        lines.push([
          dryRun ? 'would grow' : 'grown',
          d.kind,
          d.topic,
          `${found.partitions} → ${d.partitions} partitions`,
        ]);
      } else {
        lines.push(['exists', d.kind, d.topic, have]);
        notes.push(
          `${d.topic} has ${found.partitions} partitions, ${d.partitions} requested: run with --increase-partitions to ` +
            'add them (new records of an existing order may then land on another partition; drain the topic first ' +
            'if strict per-order ordering across the change matters).',
        );
      }
    } else {
      lines.push(['exists', d.kind, d.topic, have]);
      if (found.partitions > d.partitions) {
        notes.push(
          `${d.topic} has ${found.partitions} partitions (more than the ${d.partitions} requested; Kafka cannot shrink).`,
        );
      }
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
  }

  if (!dryRun && toCreate.length > 0) {
    const created = await createTopicsAndWait(
      admin,
      toCreate.map((d): ITopicConfig => ({
        topic: d.topic,
        numPartitions: d.partitions,
        replicationFactor: d.replicationFactor,
        configEntries: Object.entries(d.configs).map(([name, value]) => ({ name, value })),
      })),
    );
    if (!created) {
      // Another process created them between our check and now: still idempotent, but say so.
      notes.push('some topics were created concurrently by another process.');
    }
  }
  if (!dryRun && toGrow.length > 0) {
    await admin.createPartitions({ topicPartitions: toGrow.map((d) => ({ topic: d.topic, count: d.partitions })) });
  }

  println(out, table(['action', 'kind', 'topic', 'details'], lines, 100));
  for (const note of notes) println(out, `note: ${note}`);
  const changed = toCreate.length + toGrow.length;
  if (changed === 0) println(out, `No changes: all ${desired.length} topics exist.`);
  else
    println(
      out,
      `${dryRun ? 'Dry run, nothing changed: would create' : 'Created'} ${toCreate.length}, ` +
        `${dryRun ? 'would grow' : 'grew'} ${toGrow.length}, unchanged ${desired.length - changed} of ${desired.length} topics.`,
    );
}

interface PartitionReport {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  start: string;
  end: string;
  committed: string | null;
  lag: string | null;
}

interface TopicReport {
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

async function describeTopics(session: Session, options: { json?: boolean }): Promise<void> {
  const { admin } = session.client;
  const { topics, groupId } = session.settings;
  const named: { topic: string; kind: TopicKind }[] = [
    { topic: topics.webhooks, kind: 'main' },
    ...topics.retries.map((topic) => ({ topic, kind: 'retry' as const })),
    { topic: topics.dlq, kind: 'dlq' },
  ];
  const existing = await existingTopics(
    admin,
    named.map((n) => n.topic),
  );
  const groups = await admin.describeGroups([groupId]);
  const group = groups.groups.find((g) => g.groupId === groupId);
  // Kafka reports a never-seen group as Dead with no members; treat it as absent unless it has offsets.
  const present = named.filter((n) => existing.has(n.topic)).map((n) => n.topic);
  const committed = new Map<string, Map<number, bigint>>();
  if (present.length > 0) {
    const offsets = await admin.fetchOffsets({ groupId, topics: present });
    for (const t of offsets) {
      committed.set(
        t.topic,
        new Map(t.partitions.filter((p) => BigInt(p.offset) >= 0n).map((p) => [p.partition, BigInt(p.offset)])),
      );
    }
  }
  const hasCommits = [...committed.values()].some((m) => m.size > 0);
  const groupExists = hasCommits || (group !== undefined && group.state !== 'Dead');

  const metadata = present.length > 0 ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
  const reports: TopicReport[] = [];
  for (const { topic, kind } of named) {
    const found = existing.get(topic);
    if (!found) {
      reports.push({ topic, kind, exists: false });
      continue;
    }
    const meta = metadata.topics.find((t) => t.name === topic);
    const offsets = await partitionOffsets(admin, topic);
    const groupOffsets = committed.get(topic);
    let totalMessages = 0n;
    let totalLag = 0n;
    const details: PartitionReport[] = offsets.map((o) => {
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
    reports.push({
      topic,
      kind,
      exists: true,
      partitions: found.partitions,
      replicationFactor: found.replicationFactor,
      configs: pick(found.configs, ['retention.ms', 'cleanup.policy', 'min.insync.replicas']),
      messages: String(totalMessages),
      lag: groupExists ? String(totalLag) : null,
      partitionDetails: details,
    });
  }

  const groupInfo = {
    groupId,
    exists: groupExists,
    state: group?.state ?? 'Dead',
    members: group?.members.length ?? 0,
  };
  const out = session.io.stdout;
  if (options.json) {
    println(out, JSON.stringify({ group: groupInfo, topics: reports }, null, 2));
    return;
  }
  println(
    out,
    groupExists
      ? `consumer group ${groupId}: state ${groupInfo.state}, ${groupInfo.members} member(s)`
      : `consumer group ${groupId}: does not exist (no lag shown)`,
  );
  for (const r of reports) {
    println(out);
    if (!r.exists) {
      println(out, `${r.topic} (${r.kind}): MISSING — create it with \`fc-connector topics create\``);
      continue;
    }
    const cfg = r.configs ?? {};
    println(
      out,
      `${r.topic} (${r.kind}): ${r.partitions} partitions, rf ${r.replicationFactor}, retention ` +
        `${cfg['retention.ms'] ? formatDuration(Number(cfg['retention.ms'])) : '-'}, cleanup.policy ${dash(cfg['cleanup.policy'])}, ` +
        `min.insync.replicas ${dash(cfg['min.insync.replicas'])}; ${r.messages} messages` +
        (r.lag !== null ? `, lag ${r.lag}` : ''),
    );
    println(
      out,
      table(
        ['partition', 'leader', 'replicas', 'isr', 'start', 'end', 'committed', 'lag'],
        (r.partitionDetails ?? []).map((p) => [
          String(p.partition),
          String(p.leader),
          p.replicas.join(','),
          p.isr.join(','),
          p.start,
          p.end,
          dash(p.committed),
          dash(p.lag),
        ]),
      ).replace(/^/gm, '  '),
    );
  }
}

function pick(source: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k] as string]));
}
