/** Kafka header names, in one place (docs/architecture.md, "Kafka contract"). All values are UTF-8 strings. */
export const Headers = {
  messageName: 'fc-message-name',
  eventId: 'fc-event-id',
  receivedAt: 'fc-received-at',
  traceparent: 'traceparent',
  // Set on records not received as webhooks: `reconcile` for fc-connector reconcile's synthetic events.
  source: 'fc-source',
  // Set on retry and DLQ records:
  attempt: 'fc-attempt',
  notBefore: 'fc-not-before',
  originalTopic: 'fc-original-topic',
  originalPartition: 'fc-original-partition',
  originalOffset: 'fc-original-offset',
  errorClass: 'fc-error-class',
  errorMessage: 'fc-error-message',
  errorRetryable: 'fc-error-retryable',
  handler: 'fc-handler',
  failedAt: 'fc-failed-at',
  // Set by the replay command:
  replayedAt: 'fc-replayed-at',
  replayedFrom: 'fc-replayed-from',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];

/** Headers the processor adds when it moves a record to a retry tier or the DLQ (docs/architecture.md, "Kafka contract"). */
export const FAILURE_HEADERS: readonly HeaderName[] = Object.freeze([
  Headers.attempt,
  Headers.notBefore,
  Headers.originalTopic,
  Headers.originalPartition,
  Headers.originalOffset,
  Headers.errorClass,
  Headers.errorMessage,
  Headers.errorRetryable,
  Headers.handler,
  Headers.failedAt,
]);

/** KafkaJS delivers header values as Buffer | string | (Buffer|string)[] | undefined. */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function headerString(headers: RawHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[value.length - 1] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

export function headerInt(headers: RawHeaders | undefined, name: string): number | undefined {
  const text = headerString(headers, name);
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** W3C traceparent for a new trace, e.g. `00-<32 hex>-<16 hex>-01`. */
export function newTraceparent(randomHex: (bytes: number) => string): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}
