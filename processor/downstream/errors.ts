/**
 * What the downstream clients add to the processor's errors: the one error they need beyond processor/errors.ts,
 * and which failures are worth an immediate second attempt.
 */
import type { ErrorCode } from '../../common/error-codes.js';
import { DownstreamUnavailableError, errorCodeOf, isRetriable } from '../errors.js';

/**
 * The downstream refuses the connector's credentials or scopes: the token request is rejected, a freshly issued
 * token gets 401, or a call gets 403. Every record would fail alike, so it is an outage (the runtime pauses) like
 * any DownstreamUnavailableError; it has its own code because sending the same request again at once cannot help.
 */
export class AccessDeniedError extends DownstreamUnavailableError {
  static override readonly errorCode: ErrorCode = 'DOWNSTREAM_ACCESS_DENIED';
}

/** Codes of failures that may pass within a moment: network errors, timeouts, 408/429/5xx, a garbled body. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>(['RETRYABLE', 'DOWNSTREAM_UNAVAILABLE']);

/**
 * True for failures worth one more immediate attempt (see `withInPlaceRetries`): a retriable error with a transient
 * code. Unbranded errors (a bug) and verdicts such as AccessDeniedError are not retried in place.
 */
export function isTransient(error: unknown): boolean {
  return isRetriable(error) && TRANSIENT_CODES.has(errorCodeOf(error));
}
