/**
 * Sends webhooks the way Fluent does: a realistic JSON body signed with RSA/SHA-512 (`fluent-signature`, optionally
 * the legacy MD5 `flex.signature`), POSTed to the connector, and — like Fluent — the SAME event (same body, same id)
 * re-sent when an attempt fails or times out (delays 0, 2, 4, 8 s, scalable for tests).
 */
import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { FluentWebhookPayload } from '../../schemas/index.js';
import { createWebhookSigner, type WebhookSigner } from '../signing.js';

export const ORDER_STATUS_UPDATE = 'fc.connect.order.webhook.order-status-update';
export const STATUS_UPDATE = 'fc.connect.order.webhook.status-update';

/** Fluent's schedule: first attempt at once, then retries after 2, 4 and 8 s (~14 s in all). */
export const FLUENT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([0, 2_000, 4_000, 8_000]);

export interface OrderStatusEventInput {
  /** Fluent order id (entityId/rootEntityId). */
  orderId: string;
  /** Fluent order ref (entityRef/rootEntityRef, the Kafka key). */
  orderRef: string;
  /** entityStatus, e.g. 'BOOKED'. */
  status: string;
  /** Default 'ACME'. */
  accountId?: string;
  /** Default '1'. */
  retailerId?: string;
  /** Default ORDER_STATUS_UPDATE. */
  name?: string;
  /** Default a random UUID (a retry reuses the id of the event it repeats). */
  eventId?: string;
  /** Order type; default 'HD'. */
  type?: string;
  attributes?: Record<string, unknown>;
  /** Extra or overriding fields (e.g. unknown fields to test losslessness). */
  extra?: Record<string, unknown>;
}

/** A webhook body shaped like Fluent's (docs/architecture.md, "Fluent"). */
export function buildOrderStatusEvent(input: OrderStatusEventInput): FluentWebhookPayload {
  return {
    id: input.eventId ?? randomUUID(),
    name: input.name ?? ORDER_STATUS_UPDATE,
    accountId: input.accountId ?? 'ACME',
    retailerId: input.retailerId ?? '1',
    rootEntityId: input.orderId,
    rootEntityRef: input.orderRef,
    rootEntityType: 'ORDER',
    entityId: input.orderId,
    entityRef: input.orderRef,
    entityType: 'ORDER',
    entityStatus: input.status,
    type: input.type ?? 'HD',
    attributes: input.attributes ?? {},
    ...input.extra,
  };
}

export interface WebhookSenderOptions {
  /** Full webhook URL, e.g. `http://127.0.0.1:8080/api/v1/fluent-connect/webhook`. */
  url: string;
  /** Key pair used to sign; default a fresh RSA-2048 pair. Give its `publicKeyBase64` to the ingress. */
  signer?: WebhookSigner;
  /** Also send the legacy MD5 `flex.signature` header. Default false. */
  flex?: boolean;
  /** Delay before each attempt, ms; the length is the maximum number of attempts. Default FLUENT_RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[];
  /** Multiplies every retry delay (e.g. 0.05 turns 2/4/8 s into 100/200/400 ms). Default 1. */
  delayScale?: number;
  /** Per-attempt response timeout, ms; a timeout counts as a failed attempt. Default 5 000. */
  timeoutMs?: number;
  /** Retry failed attempts like Fluent. Default true; `send(..., { retry: false })` overrides per call. */
  retry?: boolean;
  /** Which statuses count as failure (retried). Default: anything but 2xx. */
  isFailure?: (status: number) => boolean;
  /** undici dispatcher (e.g. a Pool with many connections for load tests). Default undici's global agent. */
  dispatcher?: Dispatcher;
}

export interface AttemptResult {
  attempt: number;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Error message for timeouts and connection failures. */
  error?: string;
  /** Response body text (truncated to 2 kB). */
  body?: string;
  durationMs: number;
}

export interface SendResult {
  eventId: string;
  /** True when some attempt got a non-failure status. */
  delivered: boolean;
  /** Status of the last attempt with a response, if any. */
  status?: number;
  attempts: number;
  attemptResults: AttemptResult[];
  /** Exact bytes sent (same on every attempt). */
  body: string;
}

export interface SendOptions {
  retry?: boolean;
  /** Per-call extra headers (e.g. a broken signature). Overrides the computed ones. */
  headers?: Record<string, string>;
}

export interface WebhookSender {
  readonly signer: WebhookSigner;
  /** base64 DER SPKI public key, the format Fluent publishes (for FLUENT_WEBHOOK_PUBLIC_KEYS). */
  readonly publicKeyBase64: string;
  /** Signs and sends a payload (retrying like Fluent unless disabled). */
  send(payload: FluentWebhookPayload | Record<string, unknown>, options?: SendOptions): Promise<SendResult>;
  /** Sends an exact body (string or bytes), signed as given: for malformed-body tests. */
  sendRaw(body: string, options?: SendOptions & { eventId?: string }): Promise<SendResult>;
  /** Builds an order-status event and sends it. */
  sendOrderStatus(input: OrderStatusEventInput, options?: SendOptions): Promise<SendResult>;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const signer = options.signer ?? createWebhookSigner();
  const delays = options.retryDelaysMs ?? FLUENT_RETRY_DELAYS_MS;
  if (delays.length === 0) throw new Error('retryDelaysMs needs at least one entry (the first attempt)');
  const scale = options.delayScale ?? 1;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const isFailure = options.isFailure ?? ((status: number) => status < 200 || status >= 300);

  const attempt = async (n: number, body: string, headers: Record<string, string>): Promise<AttemptResult> => {
    const started = performance.now();
    try {
      const res = await request(options.url, {
        method: 'POST',
        body,
        headers,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      const text = await res.body.text();
      return {
        attempt: n,
        status: res.statusCode,
        body: text.length > 2048 ? text.slice(0, 2048) : text,
        durationMs: performance.now() - started,
      };
    } catch (err) {
      return { attempt: n, error: errorText(err), durationMs: performance.now() - started };
    }
  };

  const sendRaw = async (body: string, sendOptions: SendOptions & { eventId?: string } = {}): Promise<SendResult> => {
    const headers = { ...signer.headers(body, { flex: options.flex ?? false }), ...sendOptions.headers };
    const retry = sendOptions.retry ?? options.retry ?? true;
    const maxAttempts = retry ? delays.length : 1;
    const attemptResults: AttemptResult[] = [];
    let delivered = false;
    for (let i = 0; i < maxAttempts && !delivered; i++) {
      const wait = (delays[i] ?? 0) * scale;
      if (i > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
      const result = await attempt(i + 1, body, headers);
      attemptResults.push(result);
      delivered = result.status !== undefined && !isFailure(result.status);
    }
    const lastStatus = [...attemptResults].reverse().find((a) => a.status !== undefined)?.status;
    return {
      eventId: sendOptions.eventId ?? eventIdOf(body),
      delivered,
      ...(lastStatus !== undefined ? { status: lastStatus } : {}),
      attempts: attemptResults.length,
      attemptResults,
      body,
    };
  };

  return {
    signer,
    publicKeyBase64: signer.publicKeyBase64,
    send: (payload, sendOptions) => sendRaw(JSON.stringify(payload), sendOptions),
    sendRaw,
    sendOrderStatus: (input, sendOptions) => sendRaw(JSON.stringify(buildOrderStatusEvent(input)), sendOptions),
  };
}

function eventIdOf(body: string): string {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
