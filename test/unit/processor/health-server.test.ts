import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthServer } from '../../../processor/health-server.js';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('processor health server', () => {
  it('answers readiness 503 with the reason the member is not ready', async () => {
    let reason: string | undefined = 'cannot write to orders.dlq: TOPIC_AUTHORIZATION_FAILED';
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      live: () => true,
      notReady: () => reason,
    });
    expect(await get('/health/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', reason: 'cannot write to orders.dlq: TOPIC_AUTHORIZATION_FAILED' },
    });
    reason = undefined;
    expect(await get('/health/ready')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
  });
});
