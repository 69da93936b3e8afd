/**
 * Security review items as tests:
 * - secrets never reach the logs: ingress and processor run at LOG_LEVEL=trace with known secret values and see
 *   traffic with failures (bad signatures, 401s that force token refreshes, 5xx, a 413); their captured logs must
 *   not contain any configured secret, any bearer token the simulators issued, any Basic credential, or any
 *   webhook signature sent;
 * - a configuration error never echoes a secret (ingress and processor started with bad variables next to secrets);
 * - no stack traces in HTTP responses of either service (bad paths, methods, bodies);
 * - body limit: 413 over WEBHOOK_MAX_BODY_BYTES, 200 under it;
 * - every outbound call has a timeout: Fluent and commercetools holding requests forever (token and GraphQL
 *   endpoints, one at a time) make the handler fail with a retryable error within a bound; nothing hangs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../processor/errors.js';
import type { MessageHandler } from '../../processor/handler.js';
import { createOrderStatusHandler } from '../../processor/handlers/order-status/index.js';
import { startCommercetoolsSim } from '../../sim/commercetools/index.js';
import { buildOrderStatusEvent, startFluentSim } from '../../sim/fluent/index.js';
import { contextFor, handlerConfig, orderWebhook, silentLogger } from '../integration/support/order-status.js';
import { eventually, infra, uniqueName } from '../support/kafka.js';
import { startPipeline, type Pipeline } from '../../sim/pipeline.js';
import { buildScenarios, mismatches } from '../../sim/scenario.js';
import { createWebhookSigner } from '../../sim/signing.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const WEBHOOK = '/api/v1/fluent-connect/webhook';
const REGISTRY_PASSWORD = 'Registry-Secret-7f3a9c';
const MAX_BODY = 4_096;
const STACK = /\n\s+at |\.ts:\d+|\.js:\d+|node_modules|\/work\/|Error: .*\n/;

/** Runs an entry point with `env` until it exits; returns its exit code and everything it printed. */
function runEntry(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    // Only what the test sets: no inherited KAFKA_* or secrets from the caller's environment.
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

describe('security', () => {
  let pipeline: Pipeline;
  let logDir: string;
  const sentSignatures: string[] = [];

  beforeAll(async () => {
    const topic = uniqueName('security.webhooks');
    logDir = join(tmpdir(), topic);
    pipeline = await startPipeline({
      ...infra(),
      topic,
      groupId: uniqueName('security.group'),
      partitions: 2,
      retryDelays: '500ms,1s,2s',
      logDir,
      senderDelayScale: 0.05,
      env: {
        LOG_LEVEL: 'trace',
        WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
        SCHEMA_REGISTRY_USERNAME: 'registry-user',
        SCHEMA_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
      },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('keeps secrets, tokens and signatures out of the logs (trace level, with failures)', async () => {
    const scenarios = buildScenarios(6, 7, 'SEC');
    for (const s of scenarios) {
      pipeline.fluent.store.upsertOrder({ id: s.id, ref: s.ref, status: 'CREATED' });
      pipeline.ct.store.createOrder({ orderNumber: s.ref });
    }
    // Failures on the way: 401s force token refreshes, 5xx and 429 force retries.
    pipeline.fluent.faults.failNext(2, 401, 'graphql');
    pipeline.ct.faults.failNext(2, 401, 'graphql');
    pipeline.fluent.faults.failNext(1, 503, 'token');
    pipeline.ct.faults.failNext(2, 500, 'graphql');
    pipeline.ct.faults.failNext(1, 429, 'graphql');
    for (const s of scenarios) {
      for (const status of s.statuses) {
        pipeline.fluent.store.setOrderStatus({ ref: s.ref }, status);
        const event = buildOrderStatusEvent({ orderId: s.id, orderRef: s.ref, status });
        const result = await pipeline.sender.send(event);
        expect(result.status).toBe(200);
        sentSignatures.push(pipeline.sender.signer.signSha512(result.body));
      }
    }
    // Rejected ones: wrong key, MD5 while disabled, too large.
    const other = createWebhookSigner();
    const rejected = JSON.stringify(buildOrderStatusEvent({ orderId: '1', orderRef: 'SEC_X', status: 'BOOKED' }));
    for (const headers of <Record<string, string>[]>[
      { 'fluent-signature': other.signSha512(rejected) },
      { 'flex.signature': pipeline.sender.signer.signMd5(rejected) },
    ]) {
      sentSignatures.push(...Object.values(headers));
      // Straight through undici: the sender would add its own valid signature.
      const r = await request(`${pipeline.ingressUrl}${WEBHOOK}`, {
        method: 'POST',
        body: rejected,
        headers: { 'content-type': 'application/json', ...headers },
      });
      await r.body.text();
      expect(r.statusCode).toBe(401);
    }
    await eventually(
      () => mismatches(scenarios, (ref) => pipeline.ct.store.getOrder({ orderNumber: ref }) ?? undefined).length === 0,
      60_000,
      250,
    );
    const fluentTokens = pipeline.fluent.auth.issuedTokens();
    const ctTokens = pipeline.ct.auth.issuedTokens();
    expect(fluentTokens.length).toBeGreaterThan(1); // the 401s forced a refresh
    expect(ctTokens.length).toBeGreaterThan(1);
    await pipeline.stopIngress();
    await pipeline.stopProcessor();

    const logs = {
      ingress: readFileSync(join(logDir, 'ingress.log'), 'utf8'),
      processor: readFileSync(join(logDir, 'processor.log'), 'utf8'),
    };
    const { fluent, ct } = pipeline;
    const secrets: Record<string, string> = {
      FLUENT_CLIENT_SECRET: fluent.credentials.clientSecret,
      FLUENT_PASSWORD: fluent.credentials.password,
      CT_CLIENT_SECRET: ct.credentials.clientSecret,
      SCHEMA_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
      'CT Basic credential': Buffer.from(`${ct.credentials.clientId}:${ct.credentials.clientSecret}`).toString(
        'base64',
      ),
      'registry Basic credential': Buffer.from(`registry-user:${REGISTRY_PASSWORD}`).toString('base64'),
      ...Object.fromEntries(fluentTokens.map((t, i) => [`Fluent token #${i}`, t])),
      ...Object.fromEntries(ctTokens.map((t, i) => [`commercetools token #${i}`, t])),
      ...Object.fromEntries(sentSignatures.map((s, i) => [`signature #${i}`, s])),
    };
    const leaks: string[] = [];
    for (const [service, text] of Object.entries(logs)) {
      for (const [name, value] of Object.entries(secrets)) {
        if (text.includes(value)) leaks.push(`${service} log contains ${name}`);
        // A signature or token cut or escaped in a log line still leaks most of it.
        else if (value.length > 40 && text.includes(value.slice(0, 32)))
          leaks.push(`${service} log contains part of ${name}`);
      }
    }
    console.log(
      `security: ${logs.ingress.split('\n').length} ingress + ${logs.processor.split('\n').length} processor log lines ` +
        `at trace searched for ${Object.keys(secrets).length} secrets/tokens/signatures; leaks: ${leaks.length}`,
    );
    // The logs are real (trace level, with the failures in them), so "no leak" means something.
    expect(logs.processor).toMatch(/"level":(10|20)/);
    expect(logs.ingress).toMatch(/webhook rejected/);
    expect(leaks).toEqual([]);
    await pipeline.startIngress();
    await pipeline.startProcessor();
  });

  it('never echoes a secret in a configuration error', async () => {
    const secret = {
      KAFKA_SASL_PASSWORD: 'Sasl-Secret-51d2e0',
      SCHEMA_REGISTRY_PASSWORD: 'Registry-Secret-b81c44',
      FLUENT_CLIENT_SECRET: 'Fluent-Secret-0a7f13',
      FLUENT_PASSWORD: 'Fluent-Password-9e2d77',
      CT_CLIENT_SECRET: 'Ct-Secret-3c90ab',
    };
    const bad = {
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SASL_MECHANISM: 'not-a-mechanism',
      KAFKA_SASL_USERNAME: 'user',
      SCHEMA_REGISTRY_URL: 'not a url',
      SCHEMA_REGISTRY_USERNAME: 'user',
      PORT: 'not-a-port',
    };
    const ingress = await runEntry('ingress/server.ts', {
      ...secret,
      ...bad,
      FLUENT_WEBHOOK_PUBLIC_KEYS: 'definitely-not-a-key',
    });
    const processor = await runEntry('processor/main.ts', {
      ...secret,
      ...bad,
      FLUENT_BASE_URL: 'not a url',
      FLUENT_CLIENT_ID: 'id',
      FLUENT_USERNAME: 'user',
      CT_AUTH_URL: 'ftp://nope',
      CT_API_URL: 'not a url',
      CT_CLIENT_ID: 'id',
      CT_PROJECT_KEY: 'p',
      RETRY_DELAYS: 'soon',
    });
    // A secret put where a non-secret belongs is echoed by nobody either (e.g. a password pasted into the URL).
    const misplaced = await runEntry('processor/main.ts', {
      ...secret,
      SCHEMA_REGISTRY_URL: `http://user:${secret.SCHEMA_REGISTRY_PASSWORD}@`,
      KAFKA_SASL_MECHANISM: secret.KAFKA_SASL_PASSWORD,
    });
    for (const [name, run, exitCode] of [
      ['ingress', ingress, 78],
      ['processor', processor, 78],
      ['processor (secret in a checked field)', misplaced, 78],
    ] as const) {
      expect(run.code, `${name} exit code; output:\n${run.output}`).toBe(exitCode);
      expect(run.output, name).toMatch(/KAFKA_SASL_MECHANISM|SCHEMA_REGISTRY_URL/);
      expect(run.output, name).not.toMatch(STACK);
      for (const [variable, value] of Object.entries(secret)) {
        expect(run.output.includes(value), `${name} output echoes ${variable}:\n${run.output}`).toBe(false);
      }
    }
  });

  it('answers bad paths, methods and bodies without stack traces', async () => {
    const probes: [string, string, string?][] = [
      ['GET', '/nope'],
      ['GET', '/../../etc/passwd'],
      ['GET', '/%2e%2e/%2e%2e/etc/passwd'],
      ['GET', `/${'a'.repeat(8_000)}`],
      ['GET', '/health/live%00'],
      ['DELETE', '/metrics'],
      ['POST', '/health/live', '{'],
      ['PUT', WEBHOOK, '{}'],
      ['GET', WEBHOOK],
      ['OPTIONS', WEBHOOK],
      ['POST', `${WEBHOOK}?x=%ff%fe`, '{"id":'],
      ['POST', `${WEBHOOK}/../../metrics`, '{}'],
      ['GET', '/metrics?name[]=x&name[__proto__]=y'],
    ];
    const problems: string[] = [];
    for (const base of [pipeline.ingressUrl, pipeline.processorUrl]) {
      for (const [method, path, body] of probes) {
        const res = await request(`${base}${path}`, {
          method: method as 'GET',
          ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
        });
        const text = await res.body.text();
        const label = `${base === pipeline.ingressUrl ? 'ingress' : 'processor'} ${method} ${path.slice(0, 40)} → ${res.statusCode}`;
        if (res.statusCode >= 500) problems.push(`${label}: server error`);
        if (path !== '/metrics' && STACK.test(text)) problems.push(`${label}: ${text.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    // Both services are still up.
    expect((await fetch(`${pipeline.ingressUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${pipeline.processorUrl}/health/live`)).status).toBe(200);
  });

  it('enforces the body limit (413 over WEBHOOK_MAX_BODY_BYTES, 200 under it)', async () => {
    const small = buildOrderStatusEvent({ orderId: '9', orderRef: 'SEC_LIMIT', status: 'BOOKED' });
    const fits = { ...small, attributes: { pad: 'x'.repeat(MAX_BODY - JSON.stringify(small).length - 40) } };
    expect(Buffer.byteLength(JSON.stringify(fits))).toBeLessThan(MAX_BODY);
    expect((await pipeline.sender.send(fits, { retry: false })).status).toBe(200);
    const tooBig = { ...small, id: `${small.id}-big`, attributes: { pad: 'x'.repeat(MAX_BODY) } };
    const r = await pipeline.sender.send(tooBig, { retry: false });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.attemptResults[0]!.body!)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('times out every outbound call: held Fluent/commercetools requests end in a retryable error, nothing hangs', async () => {
    const TIMEOUT_MS = 500;
    const HTTP_RETRIES = 2;
    // Per call: timeout (undici timers are ±0.5 s) × attempts, plus token + call on the same path, plus slack.
    const bound = (TIMEOUT_MS + 500) * (HTTP_RETRIES + 1) * 2 + 3_000;
    const results: string[] = [];
    for (const [service, endpoint] of [
      ['fluent', 'token'],
      ['fluent', 'graphql'],
      ['commercetools', 'token'],
      ['commercetools', 'graphql'],
    ] as const) {
      const fluent = await startFluentSim({ seedMappingsFor: 'commercetools' });
      const ct = await startCommercetoolsSim();
      let handler: MessageHandler | undefined;
      try {
        const order = fluent.store.upsertOrder({ ref: `SEC_T_${service}_${endpoint}`, status: 'BOOKED' });
        ct.store.createOrder({ orderNumber: order.ref });
        // Held for 10 minutes: only the connector's own timeout can end the call.
        (service === 'fluent' ? fluent : ct).faults.set({ timeoutRate: 1, timeoutMs: 600_000 }, endpoint);
        handler = createOrderStatusHandler({
          config: handlerConfig(fluent, ct, {
            httpRetries: HTTP_RETRIES,
            fluent: { ...handlerConfig(fluent, ct).fluent, timeoutMs: TIMEOUT_MS },
            commercetools: { ...handlerConfig(fluent, ct).commercetools, timeoutMs: TIMEOUT_MS },
          }),
          logger: silentLogger,
          metrics: new Registry(),
        });
        await handler.start?.();
        const started = performance.now();
        const error = await handler.handle(contextFor(orderWebhook(order, 'BOOKED'))).then(
          (outcome) =>
            new Error(`handler finished with ${JSON.stringify(outcome)} although ${service} ${endpoint} hangs`),
          (e: unknown) => e,
        );
        const elapsed = performance.now() - started;
        results.push(`${service} ${endpoint}: ${Math.round(elapsed)} ms, ${(error as Error).message.slice(0, 100)}`);
        expect(error, `${service} ${endpoint}`).toBeInstanceOf(ConnectorError);
        expect((error as ConnectorError).canRetry, `${service} ${endpoint} retryable`).toBe(true);
        expect(elapsed, `${service} ${endpoint} bounded`).toBeLessThan(bound);
        // Nothing was written while the call hung.
        expect(ct.store.getOrder({ orderNumber: order.ref })?.orderState).toBe('Open');
      } finally {
        await handler?.close?.();
        await Promise.all([fluent.close(), ct.close()]);
      }
    }
    console.log(`outbound timeouts (bound ${bound} ms):\n  ${results.join('\n  ')}`);
  });
});
