import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../../common/index.js';
import {
  REDACT_PATHS,
  connectionEnvSchema,
  kafkaClientConfig,
  parseEnv,
  toConnectionConfig,
  type ConnectionConfig,
} from '../../../common/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const pem = (name: string) => readFileSync(fixture(name), 'utf8');

function load(env: NodeJS.ProcessEnv): ConnectionConfig {
  return toConnectionConfig(parseEnv(connectionEnvSchema, env));
}

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('connection config: Kafka TLS', () => {
  it('defaults: no TLS, no SASL, auto-register on', () => {
    const config = load({});
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'fc-connector', ssl: false });
    expect(config.registry.autoRegister).toBe(true);
    expect(kafkaClientConfig(config.kafka).ssl).toBe(false);
  });

  it('reads the CA and the client certificate and key from files; TLS is on without KAFKA_SSL', () => {
    const config = load({
      KAFKA_SSL_CA_FILE: fixture('ca.crt'),
      KAFKA_SSL_CERT_FILE: fixture('client.crt'),
      KAFKA_SSL_KEY_FILE: fixture('client.key'),
    });
    expect(config.kafka.ssl).toBe(true);
    expect(kafkaClientConfig(config.kafka).ssl).toEqual({
      ca: pem('ca.crt'),
      cert: pem('client.crt'),
      key: pem('client.key'),
    });
  });

  it('takes inline PEM, with literal \\n as line breaks', () => {
    const config = load({ KAFKA_SSL_CA: pem('ca.crt').replace(/\n/g, '\\n') });
    expect(config.kafka.tls?.ca).toBe(pem('ca.crt').trim());
  });

  it('names the variable and the path of an unreadable or non-PEM file, never its content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-conn-'));
    writeFileSync(join(dir, 'secret.txt'), 'Top-Secret-Content-7f3a');
    const list = problems({
      KAFKA_SSL_CA_FILE: join(dir, 'missing.crt'),
      KAFKA_SSL_CERT_FILE: join(dir, 'secret.txt'),
      KAFKA_SSL_KEY: 'Top-Secret-Key-11aa',
    });
    expect(list).toEqual([
      `KAFKA_SSL_CA_FILE: cannot read ${join(dir, 'missing.crt')} (ENOENT)`,
      `KAFKA_SSL_CERT_FILE: ${join(dir, 'secret.txt')} holds no PEM certificate (-----BEGIN CERTIFICATE-----…)`,
      'KAFKA_SSL_KEY: must be PEM text (-----BEGIN PRIVATE KEY-----…)',
    ]);
    expect(list.join('\n')).not.toMatch(/Top-Secret/);
  });

  it('refuses both forms of one setting, a lone certificate or key, a key of another certificate, TLS material with KAFKA_SSL=false', () => {
    expect(problems({ KAFKA_SSL_CA: pem('ca.crt'), KAFKA_SSL_CA_FILE: fixture('ca.crt') })).toEqual([
      'KAFKA_SSL_CA: set KAFKA_SSL_CA or KAFKA_SSL_CA_FILE, not both',
    ]);
    expect(problems({ KAFKA_SSL_CERT_FILE: fixture('client.crt') })).toEqual([
      'KAFKA_SSL: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY go together (mutual TLS needs the client certificate and its key)',
    ]);
    expect(problems({ KAFKA_SSL_CERT_FILE: fixture('client.crt'), KAFKA_SSL_KEY_FILE: fixture('other.key') })).toEqual([
      'KAFKA_SSL: KAFKA_SSL_KEY_FILE is not the private key of KAFKA_SSL_CERT_FILE',
    ]);
    expect(problems({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: fixture('ca.crt') })).toEqual([
      expect.stringMatching(/^KAFKA_SSL: is false but TLS certificates or keys are set/),
    ]);
  });
});

describe('connection config: SASL', () => {
  it('SCRAM with the password from a file (trailing newline dropped)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-conn-'));
    writeFileSync(join(dir, 'password'), 'Scram-Secret-1\n');
    const config = load({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'fc',
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
    });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'fc', password: 'Scram-Secret-1' });
    expect(kafkaClientConfig(config.kafka)).toMatchObject({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'fc', password: 'Scram-Secret-1' },
    });
  });

  it('PLAIN and OAUTHBEARER need TLS (they send the credential itself)', () => {
    expect(
      problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'Plain-Secret-2' }),
    ).toEqual(['KAFKA_SASL_MECHANISM: plain sends the credential in clear without TLS: set KAFKA_SSL=true']);
    expect(
      load({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).kafka.ssl,
    ).toBe(false);
  });

  it('OAUTHBEARER: token endpoint, client and extensions; KafkaJS gets a token provider, not the secret', () => {
    const config = load({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'oauthbearer',
      KAFKA_SASL_OAUTHBEARER_TOKEN_URL: 'https://idp.example/oauth2/token',
      KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'client',
      KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: 'Oauth-Secret-3',
      KAFKA_SASL_OAUTHBEARER_SCOPE: 'kafka',
      KAFKA_SASL_OAUTHBEARER_EXTENSIONS: 'logicalCluster=lkc-abc12,identityPoolId=pool-x1',
    });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'oauthbearer',
      oauthBearer: {
        tokenUrl: 'https://idp.example/oauth2/token',
        clientId: 'client',
        clientSecret: 'Oauth-Secret-3',
        scope: 'kafka',
        extensions: { logicalCluster: 'lkc-abc12', identityPoolId: 'pool-x1' },
      },
    });
    const sasl = kafkaClientConfig(config.kafka).sasl as { mechanism: string; oauthBearerProvider: unknown };
    expect(sasl.mechanism).toBe('oauthbearer');
    expect(typeof sasl.oauthBearerProvider).toBe('function');
    expect(JSON.stringify(sasl)).not.toMatch(/Oauth-Secret-3/);
  });

  it('names what an incomplete mechanism lacks, and an unknown mechanism, without echoing values', () => {
    expect(problems({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer' })).toEqual([
      'KAFKA_SASL_MECHANISM: oauthbearer needs KAFKA_SASL_OAUTHBEARER_TOKEN_URL, KAFKA_SASL_OAUTHBEARER_CLIENT_ID, KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET (or _FILE)',
    ]);
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' })).toEqual([
      expect.stringMatching(
        /^KAFKA_SASL_USERNAME: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD \(or KAFKA_SASL_PASSWORD_FILE\) are required/,
      ),
    ]);
    const list = problems({ KAFKA_SASL_MECHANISM: 'Pasted-Secret-4', KAFKA_SASL_OAUTHBEARER_EXTENSIONS: 'nokey' });
    expect(list).toEqual([
      'KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256, scram-sha-512, oauthbearer',
      'KAFKA_SASL_OAUTHBEARER_EXTENSIONS: must be a comma list of key=value pairs',
    ]);
    expect(list.join('\n')).not.toMatch(/Pasted-Secret-4/i);
  });
});

describe('connection config: schema registry', () => {
  it('TLS material and basic auth (password from a file); auto-register can be turned off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-conn-'));
    writeFileSync(join(dir, 'password'), 'Registry-Secret-5\n');
    const config = load({
      SCHEMA_REGISTRY_URL: 'https://registry.example/apis/ccompat/v7',
      SCHEMA_REGISTRY_CA_FILE: fixture('ca.crt'),
      SCHEMA_REGISTRY_CERT_FILE: fixture('client.crt'),
      SCHEMA_REGISTRY_KEY_FILE: fixture('client.key'),
      SCHEMA_REGISTRY_USERNAME: 'api-key',
      SCHEMA_REGISTRY_PASSWORD_FILE: join(dir, 'password'),
      SCHEMA_REGISTRY_AUTO_REGISTER: 'false',
    });
    expect(config.registry).toEqual({
      url: 'https://registry.example/apis/ccompat/v7',
      username: 'api-key',
      password: 'Registry-Secret-5',
      tls: { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') },
      autoRegister: false,
    });
  });

  it('refuses registry TLS material with an http:// URL', () => {
    expect(problems({ SCHEMA_REGISTRY_CA_FILE: fixture('ca.crt') })).toEqual([
      'SCHEMA_REGISTRY_URL: must be https:// when SCHEMA_REGISTRY_CA, _CERT or _KEY is set',
    ]);
  });
});

describe('connection config: secrets stay out of logs', () => {
  it('a logged config shows no password, secret or private key', () => {
    const config = load({
      KAFKA_SSL_CERT_FILE: fixture('client.crt'),
      KAFKA_SSL_KEY_FILE: fixture('client.key'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'fc',
      KAFKA_SASL_PASSWORD: 'Logged-Secret-6',
      SCHEMA_REGISTRY_URL: 'https://registry.example',
      SCHEMA_REGISTRY_USERNAME: 'key',
      SCHEMA_REGISTRY_PASSWORD: 'Logged-Secret-7',
      SCHEMA_REGISTRY_KEY_FILE: fixture('client.key'),
      SCHEMA_REGISTRY_CERT_FILE: fixture('client.crt'),
    });
    let line = '';
    const logger = pino(
      { redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } },
      { write: (l: string) => (line += l) },
    );
    logger.info({ config: config.kafka, registry: config.registry, connection: config }, 'config');
    expect(line).not.toMatch(/Logged-Secret|PRIVATE KEY/);
    expect(line).toMatch(/\[redacted\]/);
  });
});
