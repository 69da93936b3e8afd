/**
 * Connection settings shared by ingress, processor and CLI: Kafka brokers/security and the schema registry
 * (DESIGN.md §7 "Common"). Validated with zod; secrets are kept out of `describe()` so they never reach logs.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { DEFAULT_WEBHOOKS_TOPIC } from './topics.js';

const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const connectionEnvSchema = z
  .object({
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((v) =>
        v
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
          .min(1, 'at least one broker is required'),
      ),
    KAFKA_CLIENT_ID: z.string().min(1).default('fc-connector'),
    KAFKA_SSL: boolFromEnv,
    KAFKA_SASL_MECHANISM: z
      .enum(['plain', 'scram-sha-256', 'scram-sha-512', ''])
      .optional()
      .transform((v) => (v ? v : undefined)),
    KAFKA_SASL_USERNAME: optionalText,
    KAFKA_SASL_PASSWORD: optionalText,
    SCHEMA_REGISTRY_URL: z.string().url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
    SCHEMA_REGISTRY_USERNAME: optionalText,
    SCHEMA_REGISTRY_PASSWORD: optionalText,
    TOPIC_WEBHOOKS: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,200}$/, 'topic names use letters, digits, ".", "_" and "-"')
      .default(DEFAULT_WEBHOOKS_TOPIC),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM && (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SASL_USERNAME'],
        message: 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set',
      });
    }
  });

export type ConnectionEnv = z.output<typeof connectionEnvSchema>;

export interface ConnectionConfig {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly ssl: boolean;
    readonly sasl?: {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    };
  };
  readonly registry: { readonly url: string; readonly username?: string; readonly password?: string };
  readonly topic: string;
  readonly logLevel: ConnectionEnv['LOG_LEVEL'];
}

export function toConnectionConfig(env: ConnectionEnv): ConnectionConfig {
  return {
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      ssl: env.KAFKA_SSL,
      ...(env.KAFKA_SASL_MECHANISM
        ? {
            sasl: {
              mechanism: env.KAFKA_SASL_MECHANISM,
              username: env.KAFKA_SASL_USERNAME ?? '',
              password: env.KAFKA_SASL_PASSWORD ?? '',
            },
          }
        : {}),
    },
    registry: {
      url: env.SCHEMA_REGISTRY_URL,
      ...(env.SCHEMA_REGISTRY_USERNAME ? { username: env.SCHEMA_REGISTRY_USERNAME } : {}),
      ...(env.SCHEMA_REGISTRY_PASSWORD ? { password: env.SCHEMA_REGISTRY_PASSWORD } : {}),
    },
    topic: env.TOPIC_WEBHOOKS,
    logLevel: env.LOG_LEVEL,
  };
}

/** KafkaJS client options from the validated connection config. */
export function kafkaClientConfig(
  config: ConnectionConfig['kafka'],
  overrides: Partial<KafkaConfig> = {},
): KafkaConfig {
  return {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
    ...overrides,
  };
}

/** A configuration error with every problem listed, variable by variable (secrets' values never included). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Parses `env` with a zod schema and throws ConfigError naming each offending variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}

/** Paths pino must redact in every service's logs. */
export const REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["fluent-signature"]',
  'req.headers["flex.signature"]',
  'signature',
  '*.signature',
  'sasl',
  '*.sasl',
];
