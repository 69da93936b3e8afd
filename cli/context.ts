/**
 * Resolves what every command needs from the environment (DESIGN.md §7) with command-line flags taking precedence:
 * connection (KAFKA_* via schemas' connectionEnvSchema), topic names (TOPIC_WEBHOOKS; retry tier count from
 * RETRY_DELAYS), and the processor's consumer group (CONSUMER_GROUP_ID).
 */
import { topicNames, type TopicNames } from '../schemas/index.js';
import { ConfigError, connectionEnvSchema, parseEnv, toConnectionConfig, type ConnectionConfig } from '../common/index.js';
import { DEFAULT_RETRY_DELAYS_MS, parseRetryDelays } from '../common/index.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** The processor's default group id; keep in step with the processor's CONSUMER_GROUP_ID default. */
export const DEFAULT_CONSUMER_GROUP_ID = 'fc-connector-processor';

/** Options every command accepts (defined on the root program, usable before or after the command name). */
export interface GlobalOptions {
  /** Overrides KAFKA_BROKERS (comma list of host:port). */
  brokers?: string;
  /** Overrides TOPIC_WEBHOOKS: the main topic; retry and DLQ names derive from it. */
  topic?: string;
  /** Overrides CONSUMER_GROUP_ID (default fc-connector-processor). */
  group?: string;
  /** Overrides the retry tier count derived from RETRY_DELAYS (default 3). */
  retryTiers?: number;
  /** Broker connection timeout in ms (default 3000) — short, so an unreachable broker fails fast. */
  connectTimeout?: number;
  /** Print KafkaJS logs to stderr. */
  verbose?: boolean;
}

export interface CliSettings {
  readonly connection: ConnectionConfig;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly connectTimeoutMs: number;
  readonly verbose: boolean;
}

export function resolveSettings(io: CliIo, options: GlobalOptions): CliSettings {
  const env: NodeJS.ProcessEnv = { ...io.env };
  if (options.brokers !== undefined) env.KAFKA_BROKERS = options.brokers;
  if (options.topic !== undefined) env.TOPIC_WEBHOOKS = options.topic;
  let connection: ConnectionConfig;
  try {
    connection = toConnectionConfig(parseEnv(connectionEnvSchema, env));
  } catch (error) {
    if (error instanceof ConfigError) {
      // Name the flag as well as the variable: the operator may have used either.
      const problems = error.problems.map((p) =>
        p
          .replace(/^KAFKA_BROKERS(\.\d+)?:/, 'KAFKA_BROKERS / --brokers:')
          .replace(/^TOPIC_WEBHOOKS:/, 'TOPIC_WEBHOOKS / --topic:'),
      );
      throw new UsageError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    }
    throw error;
  }
  let tiers = options.retryTiers;
  if (tiers === undefined) {
    const text = env.RETRY_DELAYS;
    try {
      tiers = text && text.trim() !== '' ? parseRetryDelays(text).length : DEFAULT_RETRY_DELAYS_MS.length;
    } catch (error) {
      throw new UsageError(`invalid configuration:\n  - ${(error as Error).message}`);
    }
  }
  const groupId = options.group ?? (env.CONSUMER_GROUP_ID?.trim() || DEFAULT_CONSUMER_GROUP_ID);
  return {
    connection,
    topics: topicNames(connection.topic, tiers),
    groupId,
    connectTimeoutMs: options.connectTimeout ?? 3_000,
    verbose: options.verbose ?? false,
  };
}
