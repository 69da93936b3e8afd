/**
 * How the ingress refuses a webhook: an IngressError is a ConnectorError whose code comes from the one catalogue
 * (common/error-codes.ts) and which adds the HTTP status Fluent sees, read from that catalogue
 * (docs/architecture.md, "Ingress responses"). Errors are recognised by brand and code, never by `instanceof`.
 */
import { ERROR_CODES, ConnectorError, errorCodeOf, isConnectorError, type ErrorCode } from '../common/index.js';

/** A field the payload lacks or carries with the wrong JSON type. */
export interface FieldProblem {
  field: string;
  expected: string;
  actual: string;
}

/** Facts about a refused payload, returned to the caller in the error body (and logged). */
export type ErrorDetails = {
  missing?: string[];
  mistyped?: FieldProblem[];
};

/** A code without an HTTP status in the catalogue is an internal failure as far as the caller can tell. */
function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status ?? 500;
}

export class IngressError extends ConnectorError {
  /** The HTTP status of the response, from the catalogue. */
  readonly status: number;
  declare readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options: { cause?: unknown } = {}) {
    super(code, message, { cause: options.cause, details });
    this.status = statusOf(code);
  }
}

/** Whether `error` is an ingress error (branded, with an HTTP status), from this copy of the module or another. */
export function isIngressError(error: unknown): error is IngressError {
  return isConnectorError(error) && typeof (error as { status?: unknown }).status === 'number';
}

/** The JSON body of every error response: code, message, field details; never a stack trace. */
export interface ErrorBody {
  error: { code: string; message: string } & ErrorDetails;
}

export function errorBody(error: IngressError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}

/**
 * Maps a failure of the produce path (encode, batch, Kafka ack) to the answer Fluent gets, by error code: every such
 * failure is temporary (503 + Retry-After), only the reason differs. Anything unrecognised is Kafka not acknowledging.
 */
export function fromProduceError(error: unknown): IngressError {
  if (isIngressError(error)) return error;
  const cause = { cause: error };
  switch (errorCodeOf(error)) {
    case 'REGISTRY_UNAVAILABLE':
      return new IngressError('REGISTRY_UNAVAILABLE', 'schema registry unavailable, retry later', {}, cause);
    case 'SCHEMA_NOT_REGISTERED':
      return new IngressError(
        'SCHEMA_NOT_REGISTERED',
        'the webhook schema is not registered yet, retry later',
        {},
        cause,
      );
    case 'BATCHER_OVERLOADED':
      return new IngressError('OVERLOADED', 'too many webhooks waiting for Kafka, retry later', {}, cause);
    case 'BATCHER_CLOSED':
      return new IngressError('SHUTTING_DOWN', 'ingress is shutting down, retry later', {}, cause);
    default:
      return new IngressError('KAFKA_UNAVAILABLE', 'Kafka did not acknowledge the event, retry later', {}, cause);
  }
}

/**
 * Maps Fastify's own errors (raised before our handler runs: body limit, content type, broken framing) to ours.
 * Anything unknown becomes INTERNAL_ERROR with a generic message so internals never leak to the caller.
 */
export function fromFastifyError(error: unknown): IngressError {
  if (isIngressError(error)) return error;
  const e = error as { code?: unknown; statusCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new IngressError('PAYLOAD_TOO_LARGE', 'request body exceeds the configured limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_TYPE':
      return new IngressError('UNSUPPORTED_MEDIA_TYPE', 'content type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new IngressError('INVALID_JSON', 'request body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new IngressError('INVALID_REQUEST', 'content-length does not match the body');
    default:
      break;
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return new IngressError('PAYLOAD_TOO_LARGE', 'request body exceeds the configured limit');
  if (status === 415) return new IngressError('UNSUPPORTED_MEDIA_TYPE', 'content type must be application/json');
  if (status >= 400 && status < 500) return new IngressError('INVALID_REQUEST', 'malformed request');
  return new IngressError('INTERNAL_ERROR', 'internal error', {}, { cause: error });
}
