/**
 * Resolves what every command needs from the environment (docs/configuration.md) with command-line flags taking
 * precedence: connection (KAFKA_* via common's connectionEnvSchema), topic names (TOPIC_WEBHOOKS; retry tier count
 * and delays from RETRY_DELAYS), the processor's consumer group (CONSUMER_GROUP_ID) and where replay checkpoints live
 * (FC_CONNECTOR_STATE_DIR). Parsed with common/env, so an empty variable means unset, as everywhere else.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { topicNames, type TopicNames } from '../schemas/index.js';
import {
  connectionEnvSchema,
  DEFAULT_RETRY_DELAYS_MS,
  isConnectorError,
  parseEnv,
  parseRetryDelays,
  text,
  toConnectionConfig,
  type ConfigError,
  type ConnectionConfig,
} from '../common/index.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';

/** The processor's default group id; keep in step with the processor's CONSUMER_GROUP_ID default. */
export const DEFAULT_CONSUMER_GROUP_ID = 'fc-connector-processor';

/** Replay checkpoints go here unless --state-dir or FC_CONNECTOR_STATE_DIR says otherwise. */
export const DEFAULT_STATE_DIR = '.fc-connector';

const cliEnvSchema = z.object({
  RETRY_DELAYS: text(),
  CONSUMER_GROUP_ID: text(DEFAULT_CONSUMER_GROUP_ID),
  FC_CONNECTOR_STATE_DIR: text(DEFAULT_STATE_DIR),
});

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
  /** RETRY_DELAYS (or the default): tier i + 1 waits `retryDelaysMs[i]`; `topics create` checks them against retention. */
  readonly retryDelaysMs: readonly number[];
  readonly groupId: string;
  readonly connectTimeoutMs: number;
  readonly verbose: boolean;
  /** FC_CONNECTOR_STATE_DIR (default .fc-connector); `replay --state-dir` overrides it. */
  readonly stateDir: string;
}

export function resolveSettings(io: CliIo, options: GlobalOptions): CliSettings {
  const env: NodeJS.ProcessEnv = { ...io.env };
  if (options.brokers !== undefined) env.KAFKA_BROKERS = options.brokers;
  if (options.topic !== undefined) env.TOPIC_WEBHOOKS = options.topic;
  const { connection, cliEnv } = parseCliEnv(env);
  const retryDelaysMs = retryDelays(cliEnv.RETRY_DELAYS);
  const tiers = options.retryTiers ?? retryDelaysMs.length;
  return {
    connection,
    topics: topicNames(connection.topic, tiers),
    retryDelaysMs,
    groupId: options.group ?? cliEnv.CONSUMER_GROUP_ID,
    connectTimeoutMs: options.connectTimeout ?? 3_000,
    verbose: options.verbose ?? false,
    stateDir: cliEnv.FC_CONNECTOR_STATE_DIR,
  };
}

/**
 * Where replay checkpoints of this invocation live, for --help: the resolved directory and what chose it. Read
 * leniently (no validation): help must print even when the rest of the configuration is wrong.
 */
export function describeStateDir(io: Pick<CliIo, 'env' | 'cwd'>): string {
  const fromEnv = io.env.FC_CONNECTOR_STATE_DIR?.trim();
  const dir = resolve(io.cwd, fromEnv || DEFAULT_STATE_DIR);
  const source = fromEnv ? 'from FC_CONNECTOR_STATE_DIR' : `default ${DEFAULT_STATE_DIR} under the working directory`;
  return [
    `Checkpoints: ${dir}/replay-<id>.json (${source}; --state-dir overrides it).`,
    'The directory must be writable and outlive the process for a resume: in a container, point',
    "FC_CONNECTOR_STATE_DIR at a mounted volume (the Helm chart's CLI Job mounts one: docs/runbooks/README.md).",
  ].join('\n');
}

function parseCliEnv(env: NodeJS.ProcessEnv): { connection: ConnectionConfig; cliEnv: z.output<typeof cliEnvSchema> } {
  try {
    return {
      connection: toConnectionConfig(parseEnv(connectionEnvSchema, env)),
      cliEnv: parseEnv(cliEnvSchema, env),
    };
  } catch (error) {
    if (isConnectorError(error) && error.code === 'CONFIG') {
      // Name the flag as well as the variable: the operator may have used either.
      const problems = ((error as Partial<ConfigError>).problems ?? [error.message]).map((p) =>
        p
          .replace(/^KAFKA_BROKERS(\.\d+)?:/, 'KAFKA_BROKERS / --brokers:')
          .replace(/^TOPIC_WEBHOOKS:/, 'TOPIC_WEBHOOKS / --topic:'),
      );
      throw invalidConfiguration(problems);
    }
    throw error;
  }
}

/** RETRY_DELAYS in ms (unset: the processor's default tiers); one retry topic per entry. */
function retryDelays(retryDelays: string | undefined): readonly number[] {
  if (retryDelays === undefined) return DEFAULT_RETRY_DELAYS_MS;
  try {
    return parseRetryDelays(retryDelays);
  } catch (error) {
    throw invalidConfiguration([(error as Error).message]);
  }
}

function invalidConfiguration(problems: readonly string[]): Error {
  return usageError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
}
