/**
 * `topics create` provisions the main, retry-tier and DLQ topics (idempotent; reports what changed) and
 * `topics describe` shows partitions, replication, configs, offsets and the processor group's lag. The layers live
 * in ../topics/: plan and report (pure), admin (Kafka), render (pure).
 */
import { Command, Option } from 'commander';
import { println, type CliIo } from '../io.js';
import { durationArg, intParser } from '../parse.js';
import { withSession, type Session } from '../session.js';
import { applyTopicChanges, fetchExistingTopics, fetchTopicsState } from '../topics/admin.js';
import {
  checkRetryRetention,
  desiredTopics,
  namedTopics,
  planTopicChanges,
  TOPIC_DEFAULTS,
  type CreateOptions,
} from '../topics/plan.js';
import { renderCreate, renderDescribe } from '../topics/render.js';
import { buildTopicsReport } from '../topics/report.js';

const EXAMPLES_CREATE = `
Examples:
  $ fc-connector topics create
  $ fc-connector topics create --partitions 24 --replication-factor 3 --dlq-retention 60d
  $ fc-connector topics create --dry-run
  $ fc-connector topics create --partitions 24 --increase-partitions   # grow existing topics

Defaults: ${TOPIC_DEFAULTS.partitions} partitions for every topic, replication factor min(3, brokers),
retention 7d (main and retry tiers) and 30d (DLQ), cleanup.policy=delete, min.insync.replicas 2 when
the replication factor is 3 or more (else 1). Retry tier count = number of RETRY_DELAYS entries; a delay
longer than its retry topic's retention (to create, or existing) is refused: raise --retry-retention.
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
        .argParser(durationArg)
        .default(TOPIC_DEFAULTS.retentionMs, '7d'),
    )
    .addOption(
      new Option('--retry-retention <duration>', 'retention of retry topics (default: --retention)').argParser(
        durationArg,
      ),
    )
    .addOption(
      new Option('--dlq-retention <duration>', 'retention of the DLQ')
        .argParser(durationArg)
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

async function createTopics(session: Session, options: CreateOptions): Promise<void> {
  const { admin } = session.client;
  const dryRun = options.dryRun === true;
  const cluster = await admin.describeCluster();
  const desired = desiredTopics(session.settings.topics, options, cluster.brokers.length);
  const existing = await fetchExistingTopics(
    admin,
    desired.map((d) => d.topic),
  );
  checkRetryRetention(desired, existing, session.settings.retryDelaysMs);
  const changes = planTopicChanges(desired, existing, options);
  const applied = dryRun ? undefined : await applyTopicChanges(admin, changes);
  const notes = applied === undefined ? changes.notes : [...changes.notes, applied];
  println(session.io.stdout, renderCreate({ ...changes, notes }, dryRun));
}

async function describeTopics(session: Session, options: { json?: boolean }): Promise<void> {
  const { topics, groupId } = session.settings;
  const named = namedTopics(topics);
  const state = await fetchTopicsState(
    session.client.admin,
    named.map((n) => n.topic),
    groupId,
  );
  const report = buildTopicsReport(named, groupId, state);
  println(session.io.stdout, options.json ? JSON.stringify(report, null, 2) : renderDescribe(report));
}
