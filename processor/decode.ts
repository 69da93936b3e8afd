/**
 * Decoding one consumed value: bytes → the Avro record and the payload Fluent sent, or a typed failure. Only the
 * registry being unavailable (an outage error) is `unavailable`: the runner waits at the outage gate and decodes
 * again, because every record would fail the same way. Every other failure is the record's own (not registry-framed,
 * unknown schema, a JSON field that does not parse, a surprise such as a TypeError from a malformed record):
 * `undecodable`, so the record goes to the DLQ at once and cannot hold up other keys by pausing everything.
 */
import {
  toWebhookPayload,
  UndecodableRecordError,
  type FluentWebhookPayload,
  type FluentWebhookRecord,
  type WebhookSerde,
} from '../schemas/index.js';
import { errorCodeOf, errorMessageOf, isOutage } from '../common/errors.js';

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
    return isOutage(error) ? { kind: 'unavailable', error } : { kind: 'undecodable', error: undecodable(error) };
  }
  try {
    return { kind: 'decoded', record, payload: toWebhookPayload(record) };
  } catch (error) {
    // The record decoded but carries a malformed JSON field: no later attempt can do better.
    return { kind: 'undecodable', error: undecodable(error, `record ${record.id} has an invalid JSON field`) };
  }
}

/** The failure as an UndecodableRecordError (its DLQ headers then say UNDECODABLE_RECORD), keeping the original. */
function undecodable(error: unknown, context = 'cannot decode record'): unknown {
  if (errorCodeOf(error) === 'UNDECODABLE_RECORD') return error;
  return new UndecodableRecordError(`${context}: ${errorMessageOf(error)}`, { cause: error });
}
