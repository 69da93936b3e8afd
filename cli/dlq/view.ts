/**
 * What `dlq list` and `dlq show` print (pure): the table of matches, and one record as a document (JSON) or as text
 * (headers, then the decoded value, or base64/hex when it cannot be decoded).
 */
import type { KafkaMessage } from 'kafkajs';
import type { FluentWebhookRecord } from '../../schemas/index.js';
import { dash, iso, table } from '../format.js';
import { summarize, type RecordSummary } from '../records.js';

/** Matches oldest first (by timestamp, then position). */
export function sortDeadLetters(found: readonly RecordSummary[]): RecordSummary[] {
  return [...found].sort(
    (a, b) => a.timestamp - b.timestamp || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

export function renderDeadLetterTable(found: readonly RecordSummary[]): string {
  return table(
    ['position', 'key', 'name', 'event id', 'error class', 'error message', 'attempts', 'failed at'],
    found.map((s) => [
      `${s.partition}:${s.offset}`,
      dash(s.key),
      dash(s.messageName),
      dash(s.eventId),
      dash(s.errorClass),
      dash(s.errorMessage),
      dash(s.attempts),
      s.failedAt ?? iso(s.timestamp),
    ]),
    60,
  );
}

/** One JSON line of `dlq list --json`. */
export function deadLetterJson(topic: string, summary: RecordSummary): string {
  return JSON.stringify({ topic, ...summary, timestamp: iso(summary.timestamp) });
}

/** The value as decoded through the registry, or why it could not be. */
export type Decoding = { readonly record: FluentWebhookRecord } | { readonly error: string };

export interface RecordDocument {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: string | null;
  readonly summary: RecordSummary;
  readonly headers: Record<string, string | string[] | null>;
  readonly valueBytes: number;
  readonly value?: Record<string, unknown>;
  readonly decodeError?: string;
  readonly valueBase64?: string;
  readonly valueHex?: string;
}

export function recordDocument(
  topic: string,
  partition: number,
  record: KafkaMessage,
  decoding: Decoding,
): RecordDocument {
  const value = record.value;
  const headers = Object.fromEntries(
    Object.entries(record.headers ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(String) : v === undefined ? null : String(v),
    ]),
  );
  return {
    topic,
    partition,
    offset: record.offset,
    timestamp: iso(Number(record.timestamp)),
    key: record.key ? record.key.toString('utf8') : null,
    summary: summarize(partition, record),
    headers,
    valueBytes: value?.length ?? 0,
    ...('record' in decoding
      ? { value: presentRecord(decoding.record) }
      : { decodeError: decoding.error, valueBase64: preview(value, 'base64'), valueHex: preview(value, 'hex') }),
  };
}

export function renderRecord(doc: RecordDocument): string {
  const lines = [`${doc.topic} ${doc.partition}:${doc.offset}  (timestamp ${doc.timestamp}, key ${dash(doc.key)})`];
  lines.push('\nheaders:');
  for (const [k, v] of Object.entries(doc.headers)) lines.push(`  ${k}: ${Array.isArray(v) ? v.join(' | ') : dash(v)}`);
  if (doc.value) {
    lines.push(`\nvalue (Avro, ${doc.valueBytes} bytes):`);
    lines.push(JSON.stringify(doc.value, null, 2).replace(/^/gm, '  '));
  } else {
    lines.push(`\nvalue (${doc.valueBytes} bytes) could not be decoded: ${doc.decodeError}`);
    lines.push(`  base64: ${doc.valueBase64}`);
    lines.push(`  hex:    ${doc.valueHex}`);
  }
  return lines.join('\n');
}

/** Decoded record for people: raw body as text (JSON parsed when it is), times as ISO, signature redacted. */
function presentRecord(record: FluentWebhookRecord): Record<string, unknown> {
  const rawText = record.rawBody.toString('utf8');
  let rawBody: unknown = rawText;
  try {
    rawBody = JSON.parse(rawText);
  } catch {
    // not JSON: show as text
  }
  return {
    ...record,
    rawBody,
    receivedAt: iso(Number(record.receivedAt)),
    signature: record.signature ? `[redacted, ${record.signature.length} chars]` : null,
  };
}

function preview(value: Buffer | null, encoding: 'base64' | 'hex'): string {
  if (!value) return '(null)';
  const limit = encoding === 'hex' ? 64 : 3072;
  const text = value.subarray(0, limit).toString(encoding);
  return value.length > limit ? `${text}… (${value.length} bytes)` : text;
}
