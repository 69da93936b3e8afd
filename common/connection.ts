/**
 * Connection settings shared by ingress, processor and CLI: Kafka brokers and their security (TLS with a custom CA,
 * mutual TLS, SASL PLAIN / SCRAM / OAUTHBEARER), the schema registry (TLS, client certificate, basic auth,
 * auto-register), the main topic and the log level (docs/configuration.md, "Common" and "Kafka and registry
 * security"). Validated with zod; every certificate, key and secret may come inline or from a mounted file
 * (`<NAME>_FILE`, common/tls.ts); secret values never appear in messages.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { DEFAULT_WEBHOOKS_TOPIC } from '../schemas/topics.js';
import * as env from './env.js';
import { oauthBearerProvider, type OAuthBearerSettings } from './oauth-bearer.js';
import { pemFile, pemText, secretFile, tlsMaterialProblem, tlsOptions, type TlsMaterial } from './tls.js';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** A boolean that stays undefined when unset, so a default can depend on other variables. */
const optionalBool = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? v : undefined),
  env.bool(false).optional(),
);

/** `key=value` pairs, comma-separated (SASL extensions). */
const keyValueList = env.list().transform((entries, ctx) => {
  const pairs: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^([A-Za-z][A-Za-z0-9_.-]*)=(.+)$/.exec(entry);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'must be a comma list of key=value pairs' });
      return z.NEVER;
    }
    pairs[match[1]!] = match[2]!;
  }
  return pairs;
});

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
    KAFKA_SSL: optionalBool,
    KAFKA_SSL_CA: pemText('certificate'),
    KAFKA_SSL_CA_FILE: pemFile('certificate'),
    KAFKA_SSL_CERT: pemText('certificate'),
    KAFKA_SSL_CERT_FILE: pemFile('certificate'),
    KAFKA_SSL_KEY: pemText('private key'),
    KAFKA_SSL_KEY_FILE: pemFile('private key'),
    KAFKA_SASL_MECHANISM: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
      z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }).optional(),
    ),
    KAFKA_SASL_USERNAME: env.text(),
    KAFKA_SASL_PASSWORD: env.text(),
    KAFKA_SASL_PASSWORD_FILE: secretFile(),
    KAFKA_SASL_OAUTHBEARER_TOKEN_URL: env.url(),
    KAFKA_SASL_OAUTHBEARER_CLIENT_ID: env.text(),
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: env.text(),
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE: secretFile(),
    KAFKA_SASL_OAUTHBEARER_SCOPE: env.text(),
    KAFKA_SASL_OAUTHBEARER_EXTENSIONS: keyValueList,
    SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7'),
    SCHEMA_REGISTRY_USERNAME: env.text(),
    SCHEMA_REGISTRY_PASSWORD: env.text(),
    SCHEMA_REGISTRY_PASSWORD_FILE: secretFile(),
    SCHEMA_REGISTRY_CA: pemText('certificate'),
    SCHEMA_REGISTRY_CA_FILE: pemFile('certificate'),
    SCHEMA_REGISTRY_CERT: pemText('certificate'),
    SCHEMA_REGISTRY_CERT_FILE: pemFile('certificate'),
    SCHEMA_REGISTRY_KEY: pemText('private key'),
    SCHEMA_REGISTRY_KEY_FILE: pemFile('private key'),
    SCHEMA_REGISTRY_AUTO_REGISTER: env.bool(true),
    TOPIC_WEBHOOKS: env
      .text(DEFAULT_WEBHOOKS_TOPIC)
      .pipe(z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, 'topic names use letters, digits, ".", "_" and "-"')),
    LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  })
  .superRefine(checkSecurityCombinations);

/** Variables with an inline form and a `_FILE` form. */
const WITH_FILE_TWIN = [
  'KAFKA_SSL_CA',
  'KAFKA_SSL_CERT',
  'KAFKA_SSL_KEY',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET',
  'SCHEMA_REGISTRY_PASSWORD',
  'SCHEMA_REGISTRY_CA',
  'SCHEMA_REGISTRY_CERT',
  'SCHEMA_REGISTRY_KEY',
] as const;
type WithFileTwin = (typeof WITH_FILE_TWIN)[number];

type ParsedEnv = { [K in WithFileTwin | `${WithFileTwin}_FILE`]?: string | undefined } & {
  KAFKA_SSL?: boolean | undefined;
  KAFKA_SASL_MECHANISM?: SaslMechanism | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_OAUTHBEARER_TOKEN_URL?: string | undefined;
  KAFKA_SASL_OAUTHBEARER_CLIENT_ID?: string | undefined;
  SCHEMA_REGISTRY_URL: string;
};

/** The value of a variable or of its `_FILE` twin, with the name it came from (for messages). */
function either(env: ParsedEnv, name: WithFileTwin): { value?: string; from: string } {
  const inline = env[name];
  if (inline !== undefined) return { value: inline, from: name };
  const file = env[`${name}_FILE`];
  return file !== undefined ? { value: file, from: `${name}_FILE` } : { from: name };
}

function materialOf(env: ParsedEnv, prefix: 'KAFKA_SSL' | 'SCHEMA_REGISTRY') {
  const ca = either(env, `${prefix}_CA`);
  const cert = either(env, `${prefix}_CERT`);
  const key = either(env, `${prefix}_KEY`);
  const material: TlsMaterial = { ca: ca.value, cert: cert.value, key: key.value };
  return { material, names: { ca: ca.from, cert: cert.from, key: key.from } };
}

const hasMaterial = (m: TlsMaterial) => m.ca !== undefined || m.cert !== undefined || m.key !== undefined;

/** TLS is on when KAFKA_SSL says so, or, unset, when any TLS material is configured. */
function kafkaTlsOn(env: ParsedEnv): boolean {
  return env.KAFKA_SSL ?? hasMaterial(materialOf(env, 'KAFKA_SSL').material);
}

/** Cross-variable rules: one form per setting, complete TLS and SASL settings, no credentials in clear. */
function checkSecurityCombinations(env: ParsedEnv, ctx: z.RefinementCtx): void {
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  for (const name of WITH_FILE_TWIN) {
    if (env[name] !== undefined && env[`${name}_FILE`] !== undefined) {
      problem(name, `set ${name} or ${name}_FILE, not both`);
    }
  }
  const kafka = materialOf(env, 'KAFKA_SSL');
  if (env.KAFKA_SSL === false && hasMaterial(kafka.material)) {
    problem(
      'KAFKA_SSL',
      'is false but TLS certificates or keys are set (KAFKA_SSL_*); set KAFKA_SSL=true or remove them',
    );
  }
  const kafkaTls = tlsMaterialProblem(kafka.material, kafka.names);
  if (kafkaTls) problem('KAFKA_SSL', kafkaTls);
  checkSasl(env, ctx);

  const registry = materialOf(env, 'SCHEMA_REGISTRY');
  if (hasMaterial(registry.material) && !env.SCHEMA_REGISTRY_URL.startsWith('https:')) {
    problem('SCHEMA_REGISTRY_URL', 'must be https:// when SCHEMA_REGISTRY_CA, _CERT or _KEY is set');
  }
  const registryTls = tlsMaterialProblem(registry.material, registry.names);
  if (registryTls) problem('SCHEMA_REGISTRY_URL', registryTls);
}

function checkSasl(env: ParsedEnv, ctx: z.RefinementCtx): void {
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) return;
  if (mechanism === 'oauthbearer') {
    const missing = [
      env.KAFKA_SASL_OAUTHBEARER_TOKEN_URL === undefined ? 'KAFKA_SASL_OAUTHBEARER_TOKEN_URL' : '',
      env.KAFKA_SASL_OAUTHBEARER_CLIENT_ID === undefined ? 'KAFKA_SASL_OAUTHBEARER_CLIENT_ID' : '',
      either(env, 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET').value === undefined
        ? 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET (or _FILE)'
        : '',
    ].filter(Boolean);
    if (missing.length > 0) problem('KAFKA_SASL_MECHANISM', `oauthbearer needs ${missing.join(', ')}`);
  } else if (env.KAFKA_SASL_USERNAME === undefined || either(env, 'KAFKA_SASL_PASSWORD').value === undefined) {
    problem(
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) are required when KAFKA_SASL_MECHANISM is set',
    );
  }
  // PLAIN sends the password itself and OAUTHBEARER the token: over a plaintext connection anyone on the path reads it.
  if ((mechanism === 'plain' || mechanism === 'oauthbearer') && !kafkaTlsOn(env)) {
    problem('KAFKA_SASL_MECHANISM', `${mechanism} sends the credential in clear without TLS: set KAFKA_SSL=true`);
  }
}

export type ConnectionEnv = z.output<typeof connectionEnvSchema>;

export type KafkaSasl =
  | {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    }
  | { readonly mechanism: 'oauthbearer'; readonly oauthBearer: OAuthBearerSettings };

export interface ConnectionConfig {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly ssl: boolean;
    /** CA and client certificate/key (PEM); absent: Node's default CAs, no client certificate. */
    readonly tls?: TlsMaterial;
    readonly sasl?: KafkaSasl;
  };
  readonly registry: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
    readonly tls?: TlsMaterial;
    /** Register the webhook schema when missing (true), or only look it up by content (false). */
    readonly autoRegister: boolean;
  };
  readonly topic: string;
  readonly logLevel: ConnectionEnv['LOG_LEVEL'];
}

export function toConnectionConfig(env: ConnectionEnv): ConnectionConfig {
  const kafkaTls = materialOf(env, 'KAFKA_SSL').material;
  const registryTls = materialOf(env, 'SCHEMA_REGISTRY').material;
  const registryPassword = either(env, 'SCHEMA_REGISTRY_PASSWORD').value;
  const sasl = saslOf(env);
  return {
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      ssl: kafkaTlsOn(env),
      ...(hasMaterial(kafkaTls) ? { tls: kafkaTls } : {}),
      ...(sasl ? { sasl } : {}),
    },
    registry: {
      url: env.SCHEMA_REGISTRY_URL,
      ...(env.SCHEMA_REGISTRY_USERNAME ? { username: env.SCHEMA_REGISTRY_USERNAME } : {}),
      ...(registryPassword ? { password: registryPassword } : {}),
      ...(hasMaterial(registryTls) ? { tls: registryTls } : {}),
      autoRegister: env.SCHEMA_REGISTRY_AUTO_REGISTER,
    },
    topic: env.TOPIC_WEBHOOKS,
    logLevel: env.LOG_LEVEL,
  };
}

function saslOf(env: ConnectionEnv): KafkaSasl | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) return undefined;
  if (mechanism === 'oauthbearer') {
    const extensions = env.KAFKA_SASL_OAUTHBEARER_EXTENSIONS;
    return {
      mechanism,
      oauthBearer: {
        tokenUrl: env.KAFKA_SASL_OAUTHBEARER_TOKEN_URL ?? '',
        clientId: env.KAFKA_SASL_OAUTHBEARER_CLIENT_ID ?? '',
        clientSecret: either(env, 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET').value ?? '',
        ...(env.KAFKA_SASL_OAUTHBEARER_SCOPE ? { scope: env.KAFKA_SASL_OAUTHBEARER_SCOPE } : {}),
        ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
      },
    };
  }
  return {
    mechanism,
    username: env.KAFKA_SASL_USERNAME ?? '',
    password: either(env, 'KAFKA_SASL_PASSWORD').value ?? '',
  };
}

/** KafkaJS client options from the validated connection config (one OAUTHBEARER token cache per client). */
export function kafkaClientConfig(
  config: ConnectionConfig['kafka'],
  overrides: Partial<KafkaConfig> = {},
): KafkaConfig {
  const ssl = config.ssl && config.tls ? tlsOptions(config.tls) : config.ssl;
  return {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl,
    ...(config.sasl ? { sasl: kafkaSasl(config.sasl) } : {}),
    ...overrides,
  };
}

function kafkaSasl(sasl: KafkaSasl): SASLOptions {
  if (sasl.mechanism === 'oauthbearer') {
    return { mechanism: 'oauthbearer', oauthBearerProvider: oauthBearerProvider(sasl.oauthBearer) };
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

/** What a log line may say about the security in force: mechanisms and which material is set, never values. */
export function describeKafkaSecurity(config: ConnectionConfig['kafka']): Record<string, unknown> {
  return {
    tls: config.ssl,
    customCa: config.tls?.ca !== undefined,
    clientCertificate: config.tls?.cert !== undefined,
    sasl: config.sasl?.mechanism ?? 'none',
  };
}
