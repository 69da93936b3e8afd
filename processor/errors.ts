/**
 * The processor's error classes for handlers and plugins. Each is a thin ConnectorError (common/errors.ts) with a
 * catalogue code (common/error-codes.ts); the runtime never checks the class, only the branded fields, so an error
 * thrown by a plugin that loaded its own copy of this module steers retries the same way
 * (docs/architecture.md, "Processing semantics"):
 *
 *   RetryableError             RETRYABLE: network, timeout, 5xx, 429, conflicts after in-place attempts → next retry tier
 *   DownstreamUnavailableError DOWNSTREAM_UNAVAILABLE: retriable AND an outage (401 after refresh, 5xx storm,
 *                              connection refused): the runtime pauses consumption instead of draining into retry tiers
 *   NonRetryableError          NON_RETRYABLE: retrying cannot help → DLQ with the reason
 *   ConfigurationError         CONFIGURATION: invalid mapping or settings in Fluent, non-retriable
 *   NoRouteError               NO_ROUTE: no handler for the message name
 *   RetriesExhaustedError      RETRIES_EXHAUSTED: every retry tier failed (the cause is the last error)
 *
 * Decisions read `isRetriable`, `isOutage` and `errorCodeOf` (re-exported here); `details` are facts for logs only.
 */
import { ConnectorError, errorCodeOf, isRetriable, type ConnectorErrorOptions } from '../common/errors.js';
import type { ErrorCode } from '../common/error-codes.js';

export {
  ConnectorError,
  errorCodeOf,
  errorMessageOf,
  isConnectorError,
  isOutage,
  isRetriable,
  type BrandedError,
} from '../common/errors.js';

/** What a handler may attach to an error: the cause, and non-secret facts for logs. */
export type ErrorDetails = Pick<ConnectorErrorOptions, 'cause' | 'details'>;

// Each class names its catalogue code in a static `errorCode`, which the constructor reads from `new.target`: the
// first release's hierarchy stays (a DownstreamUnavailableError is a RetryableError, a ConfigurationError a
// NonRetryableError), so partner code that catches by class keeps working, while flags come from the catalogue.

export class RetryableError extends ConnectorError {
  static readonly errorCode: ErrorCode = 'RETRYABLE';
  constructor(message: string, options: ErrorDetails = {}) {
    super(new.target.errorCode, message, options);
  }
}

export class DownstreamUnavailableError extends RetryableError {
  static override readonly errorCode: ErrorCode = 'DOWNSTREAM_UNAVAILABLE';
  constructor(
    /** Which downstream is unavailable (also in `details.service`, for logs). */
    readonly service: string,
    message: string,
    options: ErrorDetails = {},
  ) {
    super(message, { ...options, details: { service, ...options.details } });
  }
}

export class NonRetryableError extends ConnectorError {
  static readonly errorCode: ErrorCode = 'NON_RETRYABLE';
  constructor(message: string, options: ErrorDetails = {}) {
    super(new.target.errorCode, message, options);
  }
}

export class ConfigurationError extends NonRetryableError {
  static override readonly errorCode: ErrorCode = 'CONFIGURATION';
}

export class NoRouteError extends NonRetryableError {
  static override readonly errorCode: ErrorCode = 'NO_ROUTE';
}

export class RetriesExhaustedError extends NonRetryableError {
  static override readonly errorCode: ErrorCode = 'RETRIES_EXHAUSTED';
}

/** @deprecated The first release's name for `isRetriable`; kept so partner code keeps compiling. */
export const isRetryable: (error: unknown) => boolean = isRetriable;

/** @deprecated The first release's name for `errorCodeOf`; kept so partner code keeps compiling. */
export const errorClassOf: (error: unknown) => string = errorCodeOf;
