/**
 * The public handler API. A handler serves one or more Fluent message names; the runtime calls it once per record,
 * strictly in order per key, concurrently across keys. Handlers must be idempotent (records arrive at least once).
 *
 * Throw a RetryableError (or any unknown error) to have the record retried through the retry tiers, a
 * NonRetryableError to dead-letter it, a DownstreamUnavailableError to signal an outage (the runtime pauses).
 */
import type { Logger } from 'pino';
import type { FluentWebhookPayload, FluentWebhookRecord, RawHeaders } from '../schemas/index.js';

export interface HandlerContext {
  /** The decoded Avro record. */
  readonly record: FluentWebhookRecord;
  /** The payload as Fluent sent it (unknown fields included). */
  readonly payload: FluentWebhookPayload;
  /** Kafka key (order ref). */
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: RawHeaders;
  /** 1 for the first delivery from the main topic, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** Child logger carrying event id, order ref and message name. */
  readonly logger: Logger;
  /** Aborted when the processor shuts down; long handlers should pass it to their I/O. */
  readonly signal: AbortSignal;
}

export type HandlerOutcome =
  /** The handler changed something downstream. */
  | { status: 'applied'; detail?: string }
  /** Nothing to do (already in the desired state, or not relevant). */
  | { status: 'skipped'; detail?: string };

export interface MessageHandler {
  /** Stable handler name (for logs, metrics and the fc-handler header). */
  readonly name: string;
  handle(ctx: HandlerContext): Promise<HandlerOutcome>;
  /** Optional start-up hook (connect clients, warm caches). */
  start?(): Promise<void>;
  /** Optional shutdown hook. */
  close?(): Promise<void>;
}
