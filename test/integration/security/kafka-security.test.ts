/**
 * The connector against a real secured broker (deploy/local/secure-stack.sh): the CLI provisions topics, the ingress
 * produces a signed webhook and the processor consumes it, over TLS + SCRAM (both hashes), TLS + PLAIN, TLS +
 * OAUTHBEARER (client-credentials token endpoint) and mutual TLS. A wrong CA, a wrong password or a missing client
 * certificate stops the ingress, the processor and the CLI at start with a message naming the setting, never the
 * secret.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../ingress/app.js';
import { loadIngressConfig } from '../../../ingress/config.js';
import { createKafkaAdapter } from '../../../ingress/kafka.js';
import { runtimeConfigFrom } from '../../../processor/config.js';
import type { MessageHandler } from '../../../processor/handler.js';
import { Router } from '../../../processor/router.js';
import { startProcessor } from '../../../processor/runtime.js';
import { WebhookSerde, createRegistry } from '../../../schemas/index.js';
import { createWebhookSigner } from '../../../sim/signing.js';
import { eventually, infra, uniqueName } from '../../support/kafka.js';
import { cli } from '../support/cli.js';
import { startSecureBroker, type SecureBroker } from './support/secure-broker.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const signer = createWebhookSigner(1024);
const MESSAGE = 'fc.connect.order.webhook.order-status-update';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let broker: SecureBroker;
let tokenEndpoint: Server;
let tokenUrl: string;
const tokenRequests: string[] = [];

/** An unsigned JWT (alg none): what Kafka's unsecured OAUTHBEARER validator accepts; a test stand-in for an IdP. */
function unsignedJwt(subject: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none' })}.${part({ sub: subject, iat: now, exp: now + 3600 })}.`;
}

beforeAll(async () => {
  broker = await startSecureBroker();
  tokenEndpoint = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      tokenRequests.push(`${req.headers.authorization ?? ''} ${body}`);
      const expected = `Basic ${Buffer.from('kafka-client:token-secret').toString('base64')}`;
      if (req.headers.authorization !== expected || !body.includes('grant_type=client_credentials')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: unsignedJwt('fc-connector'), token_type: 'bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}/oauth2/token`;
}, 180_000);

afterAll(async () => {
  await new Promise((resolve) => tokenEndpoint?.close(resolve));
  await broker?.destroy();
});

/** The connection variables of each way in, as an operator would write them (files, inline PEM, inline secrets). */
const MODES: Record<string, () => Record<string, string>> = {
  'TLS + SCRAM-SHA-512 (files)': () => ({
    KAFKA_BROKERS: broker.sasl,
    KAFKA_SSL_CA_FILE: broker.file('ca.crt'),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: broker.user,
    KAFKA_SASL_PASSWORD: broker.password,
  }),
  'TLS + SCRAM-SHA-256 (inline CA)': () => ({
    KAFKA_BROKERS: broker.sasl,
    KAFKA_SSL_CA: readFileSync(broker.file('ca.crt'), 'utf8').replace(/\n/g, '\\n'),
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: broker.user,
    KAFKA_SASL_PASSWORD: broker.password,
  }),
  'TLS + PLAIN': () => ({
    KAFKA_BROKERS: broker.sasl,
    KAFKA_SSL_CA_FILE: broker.file('ca.crt'),
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: broker.user,
    KAFKA_SASL_PASSWORD: broker.password,
  }),
  'TLS + OAUTHBEARER (client credentials)': () => ({
    KAFKA_BROKERS: broker.sasl,
    KAFKA_SSL_CA_FILE: broker.file('ca.crt'),
    KAFKA_SASL_MECHANISM: 'oauthbearer',
    KAFKA_SASL_OAUTHBEARER_TOKEN_URL: tokenUrl,
    KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'kafka-client',
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: 'token-secret',
    KAFKA_SASL_OAUTHBEARER_SCOPE: 'kafka',
  }),
  'mutual TLS': () => ({
    KAFKA_BROKERS: broker.mtls,
    KAFKA_SSL_CA_FILE: broker.file('ca.crt'),
    KAFKA_SSL_CERT_FILE: broker.file('client.crt'),
    KAFKA_SSL_KEY_FILE: broker.file('client.key'),
  }),
};

/** A handler that only records which events reached it. */
function recorder(seen: string[]): MessageHandler {
  return {
    name: 'recorder',
    handle: (ctx) => {
      seen.push(ctx.payload.id);
      return Promise.resolve({ status: 'applied', detail: 'recorded' });
    },
  };
}

describe.each(Object.keys(MODES))('over %s', (mode) => {
  it('the CLI creates the topics, the ingress produces a signed webhook, the processor consumes it', async () => {
    const connection = MODES[mode]!();
    const topic = uniqueName('secure');
    const base = { ...connection, SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl, TOPIC_WEBHOOKS: topic };

    const created = await cli(['topics', 'create', '--partitions', '1'], { env: { ...base, RETRY_DELAYS: '1s' } });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created 3, grew 0, unchanged 0 of 3 topics/);

    const config = loadIngressConfig({
      ...base,
      FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
      FLUENT_ACCOUNTS: 'ACME',
      LOG_LEVEL: 'silent',
    });
    const producer = createKafkaAdapter(config.connection.kafka, { logger });
    await producer.connect();
    const app = await buildApp(config, {
      producer,
      serde: new WebhookSerde(createRegistry(config.connection.registry)),
      logger,
    });
    const seen: string[] = [];
    const router = new Router();
    router.addHandler(recorder(seen));
    router.route(MESSAGE, 'recorder');
    const processor = await startProcessor({
      config: runtimeConfigFrom({ ...base, RETRY_DELAYS: '1s', CONSUMER_GROUP_ID: uniqueName('secure-group') }),
      router,
      logger,
    });
    try {
      const id = uniqueName('evt');
      const body = JSON.stringify({
        id,
        name: MESSAGE,
        accountId: 'ACME',
        retailerId: '1',
        entityId: '1',
        entityRef: 'O_SECURE',
        entityType: 'ORDER',
        rootEntityRef: 'O_SECURE',
        rootEntityType: 'ORDER',
      });
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/fluent-connect/webhook',
        payload: body,
        headers: { ...signer.headers(body), 'content-type': 'application/json' },
      });
      expect(response.statusCode, response.body).toBe(200);
      await eventually(() => seen.includes(id), 30_000);
    } finally {
      await processor.stop();
      await app.close();
      await producer.disconnect();
    }
    if (mode.includes('OAUTHBEARER')) expect(tokenRequests.some((r) => r.includes('scope=kafka'))).toBe(true);
  });
});

/** Runs an entry point as its own process with only the given environment; resolves with exit code and output. */
function runEntry(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** What the processor needs besides Kafka to get as far as connecting (its handler's settings; never called). */
const PROCESSOR_HANDLER_ENV = {
  FLUENT_BASE_URL: 'http://127.0.0.1:9',
  FLUENT_CLIENT_ID: 'id',
  FLUENT_CLIENT_SECRET: 'secret',
  FLUENT_USERNAME: 'user',
  FLUENT_PASSWORD: 'password',
  CT_AUTH_URL: 'http://127.0.0.1:9',
  CT_API_URL: 'http://127.0.0.1:9',
  CT_CLIENT_ID: 'id',
  CT_CLIENT_SECRET: 'secret',
  CT_PROJECT_KEY: 'project',
  PORT: '0',
};

describe('a wrong CA, password or client certificate stops the start, naming the setting', () => {
  const WRONG_PASSWORD = 'Wrong-Password-5c1e9a';
  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    [
      'a CA that did not sign the broker certificate',
      () => ({ ...MODES['TLS + SCRAM-SHA-512 (files)']!(), KAFKA_SSL_CA_FILE: broker.file('other-ca.crt') }),
      /not signed by a trusted CA\. Check KAFKA_SSL_CA/,
    ],
    [
      'a wrong SCRAM password',
      () => ({ ...MODES['TLS + SCRAM-SHA-512 (files)']!(), KAFKA_SASL_PASSWORD: WRONG_PASSWORD }),
      /SASL scram-sha-512 authentication failed\. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    ],
    [
      'no client certificate on the mutual-TLS listener',
      () => ({ KAFKA_BROKERS: broker.mtls, KAFKA_SSL_CA_FILE: broker.file('ca.crt') }),
      /requires a client certificate \(mutual TLS\) and none is set\. Check KAFKA_SSL_CERT and KAFKA_SSL_KEY/,
    ],
  ];

  it.each(cases)('%s: ingress and processor exit 78, the CLI exits 2', async (_label, envOf, message) => {
    const env = { ...envOf(), SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl, TOPIC_WEBHOOKS: uniqueName('never') };
    const [ingress, processor, command] = await Promise.all([
      runEntry(['ingress/server.ts'], {
        ...env,
        FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
        FLUENT_ACCOUNTS: '*',
        PORT: '0',
      }),
      runEntry(['processor/main.ts'], { ...env, ...PROCESSOR_HANDLER_ENV }),
      runEntry(['cli/main.ts', 'topics', 'describe'], env),
    ]);
    for (const [name, run, exitCode] of [
      ['ingress', ingress, 78],
      ['processor', processor, 78],
      ['cli', command, 2],
    ] as const) {
      expect(run.code, `${name}:\n${run.output}`).toBe(exitCode);
      expect(run.output, name).toMatch(message);
      expect(run.output, name).toMatch(/KAFKA_SECURITY|refused the connection settings/);
      for (const secret of [WRONG_PASSWORD, broker.password]) {
        expect(run.output.includes(secret), `${name} output echoes a password:\n${run.output}`).toBe(false);
      }
    }
  });
});
