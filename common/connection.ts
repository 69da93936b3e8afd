/**
 * Connection settings shared by ingress, processor and CLI: Kafka brokers/security, the schema registry, the main
 * topic and the log level (docs/configuration.md, "Common"). Validated with zod; secret values never appear in
 * messages.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { DEFAULT_WEBHOOKS_TOPIC } from '../schemas/topics.js';
import * as env from './env.js';

export const connectionEnvSchema = z
  .object({
    KAFKA_BROKERS: env
      .text('127.0.0.1:9092')
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
    KAFKA_CLIENT_ID: env.text('fc-connector'),
    KAFKA_SSL: env.bool(false),
    KAFKA_SASL_MECHANISM: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
      z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    ),
    KAFKA_SASL_USERNAME: env.text(),
    KAFKA_SASL_PASSWORD: env.text(),
    SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7'),
    SCHEMA_REGISTRY_USERNAME: env.text(),
    SCHEMA_REGISTRY_PASSWORD: env.text(),
    TOPIC_WEBHOOKS: env
      .text(DEFAULT_WEBHOOKS_TOPIC)
      .pipe(z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, 'topic names use letters, digits, ".", "_" and "-"')),
    LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
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
