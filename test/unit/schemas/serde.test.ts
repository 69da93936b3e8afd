import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { RegistryUnavailableError, UndecodableRecordError, WebhookSerde } from '../../../schemas/index.js';

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
});
