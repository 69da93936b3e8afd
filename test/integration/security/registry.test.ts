/**
 * The schema registry in production shape: the services do not register (SCHEMA_REGISTRY_AUTO_REGISTER=false) and
 * `fc-connector schemas register` does it from the deploy pipeline; the registry sits behind HTTPS with a private CA,
 * a required client certificate and basic auth (a TLS proxy in front of the local registry stands in for one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../ingress/app.js';
import { loadIngressConfig } from '../../../ingress/config.js';
import { createKafkaAdapter } from '../../../ingress/kafka.js';
import { WebhookSerde, createRegistry, valueSubject } from '../../../schemas/index.js';
import { createWebhookSigner } from '../../../sim/signing.js';
import { createTestTopics, eventually, infra } from '../../support/kafka.js';
import { cli } from '../support/cli.js';

const signer = createWebhookSigner(1024);
const logger = pino({ level: 'silent' });

function webhook(id: string) {
  const body = JSON.stringify({
    id,
    name: 'fc.connect.order.webhook.order-status-update',
    accountId: 'ACME',
    retailerId: '1',
    entityId: '1',
    entityRef: 'O_REG',
    entityType: 'ORDER',
    rootEntityRef: 'O_REG',
    rootEntityType: 'ORDER',
  });
  return {
    method: 'POST' as const,
    url: '/api/v1/fluent-connect/webhook',
    payload: body,
    headers: { ...signer.headers(body), 'content-type': 'application/json' },
  };
}

describe('SCHEMA_REGISTRY_AUTO_REGISTER=false', () => {
  it('a missing schema keeps the ingress unready and answers 503; `schemas register` (idempotent) fixes both', async () => {
    const { webhooks: topic } = await createTestTopics({ partitions: 1, retryTiers: 0 });
    const env = {
      KAFKA_BROKERS: infra().kafkaBrokers,
      SCHEMA_REGISTRY_URL: infra().schemaRegistryUrl,
      TOPIC_WEBHOOKS: topic,
      SCHEMA_REGISTRY_AUTO_REGISTER: 'false',
    };
    const config = loadIngressConfig({
      ...env,
      FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
      FLUENT_ACCOUNTS: 'ACME',
      LOG_LEVEL: 'silent',
    });
    const producer = createKafkaAdapter(config.connection.kafka, { logger });
    await producer.connect();
    const serde = new WebhookSerde(createRegistry(config.connection.registry), { autoRegister: false });
    const app = await buildApp(config, { producer, serde, logger });
    try {
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({
        status: 'not-ready',
        reason: expect.stringMatching(
          new RegExp(`not registered under subject ${valueSubject(topic)} .*fc-connector schemas register`),
        ) as unknown,
      });
      const refused = await app.inject(webhook('before-register'));
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('SCHEMA_NOT_REGISTERED');

      const first = await cli(['schemas', 'register'], { env });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        new RegExp(`^subject ${valueSubject(topic)}: version \\d+, id \\d+ \\(registered\\)`),
      );
      const again = await cli(['schemas', 'register', '--json'], { env });
      expect(again.code).toBe(0);
      const registered = JSON.parse(again.stdout) as { subject: string; id: number; version: number; created: boolean };
      expect(registered).toMatchObject({ subject: valueSubject(topic), created: false });
      expect(first.stdout).toContain(`version ${registered.version}, id ${registered.id}`);

      await eventually(async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200);
      expect((await app.inject(webhook('after-register'))).statusCode).toBe(200);
    } finally {
      await app.close();
      await producer.disconnect();
    }
  });
});

describe('registry over HTTPS with a private CA, a client certificate and basic auth', () => {
  let proxy: Server;
  let dir: string;
  let url: string;
  const seen: Array<{ authorized: boolean; auth: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fc-registry-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=registry CA',
    );
    for (const [name, subject, ext] of [
      ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
      ['client', '/CN=fc-connector', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      execFileSync('bash', ['-c', `echo '${ext}' > ${name}.ext`], { cwd: dir });
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      );
    }
    const upstream = new URL(infra().schemaRegistryUrl);
    const expectedAuth = `Basic ${Buffer.from('registry-user:Registry-Secret-42').toString('base64')}`;
    proxy = createHttpsServer(
      {
        key: readFileSync(join(dir, 'server.key')),
        cert: readFileSync(join(dir, 'server.crt')),
        ca: readFileSync(join(dir, 'ca.crt')),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        seen.push({
          authorized: (req.socket as { authorized?: boolean }).authorized === true,
          auth: req.headers.authorization ?? '',
        });
        if (req.headers.authorization !== expectedAuth) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error_code":401,"message":"Unauthorized"}');
          return;
        }
        const forward = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            path: req.url,
            method: req.method,
            headers: { ...req.headers, host: upstream.host },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(forward);
      },
    );
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}${upstream.pathname}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
  });

  const registryEnv = () => ({
    SCHEMA_REGISTRY_URL: url,
    SCHEMA_REGISTRY_CA_FILE: join(dir, 'ca.crt'),
    SCHEMA_REGISTRY_CERT_FILE: join(dir, 'client.crt'),
    SCHEMA_REGISTRY_KEY_FILE: join(dir, 'client.key'),
    SCHEMA_REGISTRY_USERNAME: 'registry-user',
    SCHEMA_REGISTRY_PASSWORD: 'Registry-Secret-42',
  });

  it('`schemas register` and the ingress reach it with the CA, client certificate and credentials', async () => {
    const { webhooks: topic } = await createTestTopics({ partitions: 1, retryTiers: 0 });
    const env = { ...registryEnv(), KAFKA_BROKERS: infra().kafkaBrokers, TOPIC_WEBHOOKS: topic };
    const registered = await cli(['schemas', 'register'], { env });
    expect(registered.stderr).toBe('');
    expect(registered.stdout).toMatch(/\(registered\)/);

    const config = loadIngressConfig({
      ...env,
      SCHEMA_REGISTRY_AUTO_REGISTER: 'false',
      FLUENT_WEBHOOK_PUBLIC_KEYS: signer.publicKeyBase64,
      FLUENT_ACCOUNTS: 'ACME',
      LOG_LEVEL: 'silent',
    });
    const producer = createKafkaAdapter(config.connection.kafka, { logger });
    await producer.connect();
    const app = await buildApp(config, {
      producer,
      serde: new WebhookSerde(createRegistry(config.connection.registry), { autoRegister: false }),
      logger,
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      expect((await app.inject(webhook('over-tls'))).statusCode).toBe(200);
    } finally {
      await app.close();
      await producer.disconnect();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.authorized)).toBe(true);
  });

  it('without the client certificate or with a wrong password the registry refuses, and the CLI says so', async () => {
    const noCert = await cli(['schemas', 'register'], {
      env: { ...registryEnv(), SCHEMA_REGISTRY_CERT_FILE: '', SCHEMA_REGISTRY_KEY_FILE: '' },
    });
    expect(noCert.code).toBe(1);
    expect(noCert.stderr).toMatch(/schema lookup under .* failed/);
    const wrongPassword = await cli(['schemas', 'register'], {
      env: { ...registryEnv(), SCHEMA_REGISTRY_PASSWORD: 'Not-The-Password-1' },
    });
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.stderr).toMatch(/HTTP 401: check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD/);
    expect(wrongPassword.stderr).not.toMatch(/Not-The-Password-1|Registry-Secret-42/);
  });
});
