/**
 * Sends signed webhooks the way Fluent does (same event id, attempts at 0, 2, 4, 8 s) and keeps every answer the
 * ingress gave, with its `Retry-After` header: the failover test checks that the ingress answers only 200, or 503
 * with `Retry-After`, while leaders move. The simulator's sender keeps statuses but not headers, hence this one.
 */
import { request } from 'undici';
import type { FluentWebhookPayload } from '../../../schemas/index.js';
import { FLUENT_RETRY_DELAYS_MS } from '../../../sim/fluent/index.js';
import type { WebhookSigner } from '../../../sim/signing.js';

export interface Answer {
  /** HTTP status, absent when no answer came (connection refused, timeout). */
  readonly status: number | undefined;
  readonly retryAfter: string | undefined;
  readonly error: string | undefined;
  readonly durationMs: number;
}

export interface Delivery {
  readonly eventId: string;
  readonly accepted: boolean;
  readonly answers: readonly Answer[];
}

export interface AnswerCounts {
  readonly ok200: number;
  readonly unavailable503WithRetryAfter: number;
  /** Anything else: other statuses, 503 without Retry-After, no answer at all. */
  readonly other: readonly string[];
}

export class AnswerLog {
  readonly answers: Answer[] = [];

  constructor(
    private readonly url: string,
    private readonly signer: WebhookSigner,
    private readonly timeoutMs = 10_000,
  ) {}

  async deliver(payload: FluentWebhookPayload): Promise<Delivery> {
    const body = JSON.stringify(payload);
    const headers = this.signer.headers(body);
    const answers: Answer[] = [];
    for (const [attempt, delay] of FLUENT_RETRY_DELAYS_MS.entries()) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, delay));
      const answer = await this.attempt(body, headers);
      answers.push(answer);
      this.answers.push(answer);
      if (answer.status === 200) return { eventId: payload.id, accepted: true, answers };
    }
    return { eventId: payload.id, accepted: false, answers };
  }

  private async attempt(body: string, headers: Record<string, string>): Promise<Answer> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    try {
      const response = await request(this.url, {
        method: 'POST',
        body,
        headers,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      await response.body.dump();
      const retryAfter = response.headers['retry-after'];
      return {
        status: response.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        error: undefined,
        durationMs: took(),
      };
    } catch (error) {
      return { status: undefined, retryAfter: undefined, error: String(error), durationMs: took() };
    }
  }

  counts(): AnswerCounts {
    const other: string[] = [];
    let ok200 = 0;
    let unavailable = 0;
    for (const a of this.answers) {
      if (a.status === 200) ok200++;
      else if (a.status === 503 && a.retryAfter !== undefined && a.retryAfter !== '') unavailable++;
      else other.push(a.status === undefined ? `no answer after ${a.durationMs} ms: ${a.error}` : `${a.status}`);
    }
    return { ok200, unavailable503WithRetryAfter: unavailable, other };
  }
}
