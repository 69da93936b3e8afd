/**
 * Every way the ingress can refuse a webhook, in one place: a stable code (for dashboards and partners), the HTTP
 * status Fluent sees (DESIGN.md §8) and whether a retry by Fluent can succeed.
 */

export const ErrorCodes = {
  INVALID_JSON: { status: 400, canRetry: false },
  INVALID_PAYLOAD: { status: 400, canRetry: false },
  MISSING_FIELDS: { status: 400, canRetry: false },
  INVALID_REQUEST: { status: 400, canRetry: false },
  MISSING_SIGNATURE: { status: 401, canRetry: false },
  INVALID_SIGNATURE: { status: 401, canRetry: false },
  NOT_FOUND: { status: 404, canRetry: false },
  METHOD_NOT_ALLOWED: { status: 405, canRetry: false },
  PAYLOAD_TOO_LARGE: { status: 413, canRetry: false },
  RECORD_TOO_LARGE: { status: 413, canRetry: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, canRetry: false },
  INTERNAL_ERROR: { status: 500, canRetry: true },
  KAFKA_UNAVAILABLE: { status: 503, canRetry: true },
  REGISTRY_UNAVAILABLE: { status: 503, canRetry: true },
  OVERLOADED: { status: 503, canRetry: true },
  SHUTTING_DOWN: { status: 503, canRetry: true },
} as const satisfies Record<string, { status: number; canRetry: boolean }>;

export type ErrorCode = keyof typeof ErrorCodes;

/** A field the payload lacks or carries with the wrong JSON type. */
export interface FieldProblem {
  field: string;
  expected: string;
  actual: string;
}

export interface ErrorDetails {
  missing?: string[];
  mistyped?: FieldProblem[];
}

export class IngressError extends Error {
  override readonly name = 'IngressError';
  readonly status: number;
  readonly canRetry: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = ErrorCodes[code].status;
    this.canRetry = ErrorCodes[code].canRetry;
  }
}

/** The JSON body of every error response: code, message, field details; never a stack trace. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string } & ErrorDetails;
}

export function errorBody(error: IngressError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}

/**
 * Maps Fastify's own errors (raised before our handler runs: body limit, content type, broken framing) to ours.
 * Anything unknown becomes INTERNAL_ERROR with a generic message so internals never leak to the caller.
 */
export function fromFastifyError(error: unknown): IngressError {
  if (error instanceof IngressError) return error;
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
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
