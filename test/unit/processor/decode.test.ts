import { describe, expect, it } from 'vitest';
import { errorCodeOf, isOutage } from '../../../common/errors.js';
import { decodeValue } from '../../../processor/decode.js';
import {
  RegistryUnavailableError,
  toWebhookRecord,
  UndecodableRecordError,
  type FluentWebhookRecord,
} from '../../../schemas/index.js';

const payload = {
  id: 'E1',
  name: 'fc.connect.order.webhook.order-status-update',
  accountId: 'A',
  retailerId: '1',
  entityId: '1',
  entityRef: 'O-1',
  entityType: 'ORDER',
  attributes: { status: 'BOOKED' },
};
const record = toWebhookRecord(payload, { rawBody: Buffer.from(JSON.stringify(payload)), receivedAt: 0 });

const serdeOf = (decode: () => Promise<FluentWebhookRecord>) => ({ decode });

describe('decodeValue', () => {
  it('returns the record and the payload Fluent sent', async () => {
    const result = await decodeValue(
      serdeOf(() => Promise.resolve(record)),
      Buffer.from('x'),
    );
    expect(result).toEqual({ kind: 'decoded', record, payload });
  });

  it('calls bytes that are not a record undecodable (the record goes to the DLQ)', async () => {
    const error = new UndecodableRecordError('value is not a schema-registry framed Avro record');
    const result = await decodeValue(
      serdeOf(() => Promise.reject(error)),
      null,
    );
    expect(result).toEqual({ kind: 'undecodable', error });
  });

  it('calls a registry outage unavailable (the runner pauses and decodes again)', async () => {
    const error = new RegistryUnavailableError('schema registry unavailable while decoding');
    const result = await decodeValue(
      serdeOf(() => Promise.reject(error)),
      Buffer.from('x'),
    );
    expect(result).toEqual({ kind: 'unavailable', error });
    expect(isOutage(error)).toBe(true);
  });

  it('calls any failure other than the registry being unavailable undecodable (no pause for one bad record)', async () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'length')");
    const result = await decodeValue(
      serdeOf(() => Promise.reject(error)),
      Buffer.from('x'),
    );
    expect(result.kind).toBe('undecodable');
    const reported = (result as { error: unknown }).error;
    expect(errorCodeOf(reported)).toBe('UNDECODABLE_RECORD');
    expect((reported as Error).cause).toBe(error);
  });

  it.each([
    ['null', /extraJson must be a JSON object, got null/],
    ['[1]', /extraJson must be a JSON object, got an array/],
    ['42', /extraJson must be a JSON object, got a number/],
    ['"text"', /extraJson must be a JSON object, got a string/],
    ['{not json', /extraJson is not JSON text/],
    ['', /extraJson is not JSON text/],
  ])('calls a record whose extraJson is %j undecodable, saying why', async (extraJson, message) => {
    const result = await decodeValue(
      serdeOf(() => Promise.resolve({ ...record, extraJson })),
      Buffer.from('x'),
    );
    expect(result.kind).toBe('undecodable');
    const error = (result as { error: unknown }).error;
    expect(errorCodeOf(error)).toBe('UNDECODABLE_RECORD');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('E1');
  });

  it('still restores unknown fields from a well-formed extraJson', async () => {
    const result = await decodeValue(
      serdeOf(() => Promise.resolve({ ...record, extraJson: '{"extra":[1]}' })),
      Buffer.from('x'),
    );
    expect(result).toMatchObject({ kind: 'decoded', payload: { ...payload, extra: [1] } });
  });

  it('calls a record whose JSON field does not parse undecodable, with the parse error as the cause', async () => {
    const broken = { ...record, attributesJson: '{not json' };
    const result = await decodeValue(
      serdeOf(() => Promise.resolve(broken)),
      Buffer.from('x'),
    );
    expect(result.kind).toBe('undecodable');
    const error = (result as { error: unknown }).error;
    expect(errorCodeOf(error)).toBe('UNDECODABLE_RECORD');
    expect((error as Error).message).toMatch(/attributesJson is not JSON text/);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });
});
