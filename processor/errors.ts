/**
 * Typed processing errors. Every error the runtime acts on says whether a retry can help (`canRetry`) and has a
 * stable `code` that ends up in the `fc-error-class` header of retry/DLQ records and in metrics.
 *
 *   RetryableError            transient: network, timeout, 5xx, 429, conflicts after in-place attempts → next retry tier
 *   DownstreamUnavailableError retryable AND a sign of an outage (401 after refresh, 5xx storm, connection refused):
 *                              the runtime pauses consumption with backoff instead of draining into retry tiers
 *   NonRetryableError         retrying cannot help → DLQ with the reason
 *   ConfigurationError        invalid mapping/settings: non-retryable
 *   UndecodableRecordError    (from schemas/) bytes are not a valid record: non-retryable
 */
export interface ErrorDetails {
  cause?: unknown;
  /** Extra, non-secret facts for logs (e.g. the setting name, the HTTP status). */
  details?: Record<string, unknown>;
}

export abstract class ConnectorError extends Error {
  abstract readonly code: string;
  abstract readonly canRetry: boolean;
  readonly details: Record<string, unknown> | undefined;
  constructor(message: string, options: ErrorDetails = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

export class RetryableError extends ConnectorError {
  readonly code: string = 'RETRYABLE';
  readonly canRetry = true;
}

export class DownstreamUnavailableError extends RetryableError {
  override readonly code: string = 'DOWNSTREAM_UNAVAILABLE';
  constructor(
    readonly service: string,
    message: string,
    options: ErrorDetails = {},
  ) {
    super(message, options);
  }
}

export class NonRetryableError extends ConnectorError {
  readonly code: string = 'NON_RETRYABLE';
  readonly canRetry = false;
}

export class ConfigurationError extends NonRetryableError {
  override readonly code: string = 'CONFIGURATION';
}

export class NoRouteError extends NonRetryableError {
  override readonly code: string = 'NO_ROUTE';
}

export class RetriesExhaustedError extends NonRetryableError {
  override readonly code: string = 'RETRIES_EXHAUSTED';
}

/** Whether an error (typed or not) may succeed on a later attempt. Unknown errors are treated as retryable. */
export function isRetryable(error: unknown): boolean {
  if (error && typeof error === 'object' && 'canRetry' in error)
    return Boolean((error as { canRetry: unknown }).canRetry);
  return true;
}

/** Stable class name for headers and metrics. */
export function errorClassOf(error: unknown): string {
  if (error instanceof ConnectorError) return error.code;
  if (error instanceof Error) return error.name || 'Error';
  return 'Unknown';
}

/** One-line message with the cause chain, bounded, for headers and logs. */
export function errorMessageOf(error: unknown, maxLength = 1000): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  const text = parts.join(' <- caused by: ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
