import { createServer, type Server, type Socket } from 'node:net';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RegistryUnavailableError,
  UndecodableRecordError,
  WebhookSerde,
  createRegistry,
  toWebhookRecord,
} from '../../../schemas/index.js';

/** A registry-framed value pointing at schema id `id` (magic byte 0, 4-byte id, some Avro bytes). */
function framed(id: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeInt32BE(id, 1);
  return b;
}

/** A registry client whose decode fails like @kafkajs/confluent-schema-registry's ResponseError. */
function failingRegistry(error: Error): SchemaRegistry {
  return { decode: () => Promise.reject(error) } as unknown as SchemaRegistry;
}

function responseError(status: number, message: string): Error {
  return Object.assign(new Error(`fc-connector - ${message}`), { name: 'ResponseError', status });
}

describe('WebhookSerde.decode error classification', () => {
  it('an unknown schema id is undecodable even when its number contains "50x"', async () => {
    // The registry answers 404 "No content with ID '502' was found." for a record naming a missing schema.
    for (const id of [502, 1503, 7]) {
      const serde = new WebhookSerde(failingRegistry(responseError(404, `No content with ID '${id}' was found.`)));
      await expect(serde.decode(framed(id))).rejects.toBeInstanceOf(UndecodableRecordError);
    }
  });

  it('registry 5xx and network errors are "unavailable" (retry), not undecodable', async () => {
    const cases = [
      responseError(503, 'Error, status 503'),
      responseError(500, 'internal'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ECONNREFUSED' }),
      new Error('Timeout (2000ms)'),
    ];
    for (const error of cases) {
      const serde = new WebhookSerde(failingRegistry(error));
      await expect(serde.decode(framed(1))).rejects.toBeInstanceOf(RegistryUnavailableError);
    }
  });

  it('a registry nobody listens on is "unavailable" through the real client (it reports it as status 400)', async () => {
    const serde = new WebhookSerde(createRegistry({ url: 'http://127.0.0.1:1/apis/ccompat/v7' }));
    await expect(serde.decode(framed(1))).rejects.toBeInstanceOf(RegistryUnavailableError);
  });
});

describe('registry that accepts connections but never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let url = '';
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket); // read the request, never answer
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/apis/ccompat/v7`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('encode fails with RegistryUnavailableError in bounded time instead of hanging', async () => {
    const serde = new WebhookSerde(createRegistry({ url, timeoutMs: 200 }));
    const record = toWebhookRecord(
      { id: 'e', name: 'n', accountId: 'a', retailerId: 'r', entityId: 'i', entityRef: 'R', entityType: 'ORDER' },
      { rawBody: Buffer.from('{}'), receivedAt: 1 },
    );
    const started = Date.now();
    const outcome = await Promise.race([
      serde.encode('t', record).then(
        () => 'encoded',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still hanging'), 3_000)),
    ]);
    expect(outcome).toBeInstanceOf(RegistryUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
  }, 10_000);

  it('decode fails with RegistryUnavailableError in bounded time instead of hanging', async () => {
    const serde = new WebhookSerde(createRegistry({ url, timeoutMs: 200 }));
    const outcome = await Promise.race([
      serde.decode(framed(1)).then(
        () => 'decoded',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still hanging'), 3_000)),
    ]);
    expect(outcome).toBeInstanceOf(RegistryUnavailableError);
  }, 10_000);
});
