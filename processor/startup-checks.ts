/**
 * Start-up checks of the processor's topics, run before the consumer joins its group: every topic it reads or writes
 * exists, and no retry tier's delay is longer than its topic's retention (docs/architecture.md, "Kafka contract"). A missing topic thus ends the start with its name and the command that creates it, instead of KafkaJS's
 * "This server does not host this topic-partition" from inside the consumer, or a DLQ produce failing much later.
 *
 * Write access is not probed: Kafka has no dry-run produce, and describing ACLs needs cluster rights an application
 * rarely has (and fails on clusters without an authorizer). A refused write shows at the first retry or DLQ produce;
 * the runner reports it and the processor stops (docs/architecture.md, "Processing semantics").
 */
import kafkajs, { type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { ConnectorError, formatDurationMs } from '../common/index.js';
import type { ProcessorRuntimeConfig } from './config.js';

// kafkajs is CommonJS; Node's ESM loader does not see this enum as a named export.
const { ConfigResourceTypes } = kafkajs;

/** `fc-connector topics create` with the variables that decide the topic names and the number of retry tiers. */
export function topicsCreateCommand(config: ProcessorRuntimeConfig): string {
  const delays = config.retryDelaysMs.map(formatDurationMs).join(',');
  return `TOPIC_WEBHOOKS=${config.topics.webhooks} RETRY_DELAYS=${delays} npx fc-connector topics create`;
}

/** Pure: the expected topics the cluster does not list, in the order main, retry tiers, DLQ. */
export function missingTopics(config: ProcessorRuntimeConfig, existing: ReadonlySet<string>): string[] {
  const { webhooks, retries, dlq } = config.topics;
  return [webhooks, ...retries, dlq].filter((topic) => !existing.has(topic));
}

export function missingTopicsError(config: ProcessorRuntimeConfig, missing: readonly string[]): ConnectorError {
  return new ConnectorError(
    'UNKNOWN_TOPIC',
    `${missing.length === 1 ? 'topic does' : 'topics do'} not exist: ${missing.join(', ')}. ` +
      `Create them with \`${topicsCreateCommand(config)}\` (\`npm run topics\` in a checkout), ` +
      'or check that this client may describe them.',
    { details: { missing } },
  );
}

/** Headroom suggested above the longest delay, as the default retention: an outage plus time to notice. */
const WEEK_MS = 7 * 86_400_000;

export interface TierRetention {
  /** 1-based, as in `<main>.retry.<tier>`. */
  readonly tier: number;
  readonly topic: string;
  readonly delayMs: number;
  readonly retentionMs: number;
}

/**
 * Pure: the retry tiers whose delay is longer than their topic's `retention.ms` (as `fc-connector topics create`
 * refuses them). The broker may delete such a record before it is due: silent loss. A topic missing from
 * `retentionMsByTopic` (not readable) or with retention -1 (unlimited) passes.
 */
export function tiersOutlivingRetention(
  config: ProcessorRuntimeConfig,
  retentionMsByTopic: ReadonlyMap<string, number>,
): TierRetention[] {
  return config.topics.retries.flatMap((topic, index) => {
    const delayMs = config.retryDelaysMs[index] ?? 0;
    const retentionMs = retentionMsByTopic.get(topic);
    if (retentionMs === undefined || retentionMs < 0 || delayMs <= retentionMs) return [];
    return [{ tier: index + 1, topic, delayMs, retentionMs }];
  });
}

export function retentionTooShortError(problems: readonly TierRetention[]): ConnectorError {
  const lines = problems.map(
    (p) =>
      `RETRY_DELAYS tier ${p.tier} waits ${formatDurationMs(p.delayMs)}, but ${p.topic} keeps records for ` +
      `${formatDurationMs(p.retentionMs)} (retention.ms=${p.retentionMs}); the broker may delete them before they are due`,
  );
  const suggestedMs = Math.max(...problems.map((p) => p.delayMs)) + WEEK_MS;
  return new ConnectorError(
    'RETENTION_TOO_SHORT',
    `retry delays outlive their topics' retention:\n  - ${lines.join('\n  - ')}\n` +
      'Shorten the delay in RETRY_DELAYS, or raise the retention of those retry topics to at least ' +
      `${formatDurationMs(suggestedMs)}: \`kafka-configs.sh --alter --entity-type topics --entity-name <topic> ` +
      `--add-config retention.ms=${suggestedMs}\` (topics not created yet: \`fc-connector topics create ` +
      `--retry-retention ${formatDurationMs(suggestedMs)}\`).`,
    { details: { tiers: problems } },
  );
}

/** Throws UNKNOWN_TOPIC naming every missing topic; warns about partitions without a leader (usually transient). */
async function requireTopics(admin: Admin, config: ProcessorRuntimeConfig, logger: Logger): Promise<void> {
  const missing = missingTopics(config, new Set(await admin.listTopics()));
  if (missing.length > 0) throw missingTopicsError(config, missing);
  const { webhooks, retries, dlq } = config.topics;
  const { topics } = await admin.fetchTopicMetadata({ topics: [webhooks, ...retries, dlq] });
  for (const { name, partitions } of topics) {
    const leaderless = partitions.filter((p) => p.leader < 0).map((p) => p.partitionId);
    if (leaderless.length > 0) logger.warn({ topic: name, partitions: leaderless }, 'partitions without a leader');
  }
}

/** `retention.ms` of each retry topic; empty when this client may not read topic configs (logged). */
async function retryRetention(
  admin: Admin,
  config: ProcessorRuntimeConfig,
  logger: Logger,
): Promise<Map<string, number>> {
  try {
    const { resources } = await admin.describeConfigs({
      resources: config.topics.retries.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['retention.ms'],
      })),
      includeSynonyms: false,
    });
    return new Map(
      resources.flatMap((r) => {
        const value = r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
        return value === undefined ? [] : [[r.resourceName, Number(value)] as const];
      }),
    );
  } catch (error) {
    if (!/AUTHORIZATION_FAILED/.test((error as { type?: string }).type ?? '')) throw error;
    logger.warn(
      { topics: config.topics.retries },
      "not allowed to read the retry topics' configs (DescribeConfigs); RETRY_DELAYS is not checked against their retention",
    );
    return new Map();
  }
}

/** Runs every start-up check; throws a ConnectorError (UNKNOWN_TOPIC, RETENTION_TOO_SHORT) a user can act on. */
export async function checkProcessorTopics(
  admin: Admin,
  config: ProcessorRuntimeConfig,
  logger: Logger,
): Promise<void> {
  await requireTopics(admin, config, logger);
  const outliving = tiersOutlivingRetention(config, await retryRetention(admin, config, logger));
  if (outliving.length > 0) throw retentionTooShortError(outliving);
}
