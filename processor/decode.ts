/**
 * Decoding one consumed value: bytes → the Avro record and the payload Fluent sent, or a typed failure. The record's
 * fault (not registry-framed, unknown schema, a JSON field that does not parse) is `undecodable`: the record goes to
 * the DLQ. Anything else, above all the registry being unavailable (an outage error), is `unavailable`: the runner
 * waits at the outage gate and decodes again, because every record would fail the same way.
 */
import {
  toWebhookPayload,
  UndecodableRecordError,
  type FluentWebhookPayload,
  type FluentWebhookRecord,
  type WebhookSerde,
} from '../schemas/index.js';
import { isRetriable } from '../common/errors.js';

export type DecodeResult =
  | { readonly kind: 'decoded'; readonly record: FluentWebhookRecord; readonly payload: FluentWebhookPayload }
  | { readonly kind: 'undecodable'; readonly error: unknown }
  | { readonly kind: 'unavailable'; readonly error: unknown };

export async function decodeValue(serde: Pick<WebhookSerde, 'decode'>, value: Buffer | null): Promise<DecodeResult> {
  let record: FluentWebhookRecord;
  try {
    record = await serde.decode(value);
  } catch (error) {
    // Decided by the error's flags, not its class: a serde error is branded (common/errors.ts).
    return isRetriable(error) ? { kind: 'unavailable', error } : { kind: 'undecodable', error };
  }
  try {
    return { kind: 'decoded', record, payload: toWebhookPayload(record) };
  } catch (error) {
    // The record decoded but carries a JSON field that does not parse: no later attempt can do better.
    return {
      kind: 'undecodable',
      error: new UndecodableRecordError(`record ${record.id} has an invalid JSON field`, { cause: error }),
    };
  }
}
