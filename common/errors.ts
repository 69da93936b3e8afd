/**
 * The one error base. Every error the connector raises is a ConnectorError: a stable `code` from the catalogue
 * (error-codes.ts), `retriable` (a later attempt can succeed) and `outage` (a whole downstream is unavailable; the
 * processor pauses rather than retrying record by record). Errors are recognised by a brand (`isConnectorError`),
 * not `instanceof`, because partner plugins may load a second copy of this module.
 *
 * Subclasses exist only where a caller needs more than a code: IngressError adds the HTTP status, CliError the exit
 * code, and a handful carry facts a caller reads (a service name, a list of config problems).
 */
import { ERROR_BRAND } from '../schemas/error-brand.js';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export { ERROR_BRAND };

export interface ConnectorErrorOptions {
  cause?: unknown;
  /** Non-secret facts for logs (a setting name, an HTTP status). Never read for decisions. */
  details?: Record<string, unknown>;
  /** Overrides the catalogue's retriable flag (e.g. a generic RETRYABLE error from a partner). */
  retriable?: boolean;
  /** Overrides the catalogue's outage flag. */
  outage?: boolean;
}

/** What every branded error exposes; a plugin's copy of ConnectorError satisfies it too. */
export interface BrandedError extends Error {
  readonly [ERROR_BRAND]: true;
  readonly code: string;
  readonly retriable: boolean;
  readonly outage: boolean;
  readonly details?: Record<string, unknown> | undefined;
}

export class ConnectorError extends Error implements BrandedError {
  readonly [ERROR_BRAND] = true as const;
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly outage: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    this.outage = options.outage ?? ERROR_CODES[code].outage;
    this.details = options.details;
  }

  /** Kept for partner code written against the first release (`canRetry`); same value as `retriable`. */
  get canRetry(): boolean {
    return this.retriable;
  }
}

/** Whether `error` is a connector error (from this copy of the module or any other). */
export function isConnectorError(error: unknown): error is BrandedError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[ERROR_BRAND] === true;
}

/**
 * Whether a later attempt may succeed. Unbranded errors (a bug, a library's TypeError) count as retriable: the
 * retry tiers then bound them and the DLQ keeps the record, rather than losing it on a first surprise.
 */
export function isRetriable(error: unknown): boolean {
  return isConnectorError(error) ? error.retriable : true;
}

/** Whether `error` says a whole downstream is unavailable (pause, do not drain). */
export function isOutage(error: unknown): boolean {
  return isConnectorError(error) && error.outage;
}

/** Stable class name for headers and metrics: the code of a connector error, else the error's name. */
export function errorCodeOf(error: unknown): string {
  if (isConnectorError(error)) return error.code;
  if (error instanceof Error) return error.name || 'Error';
  return 'Unknown';
}

/** Text of a thrown non-Error (a string, a plain object a library rejected with). */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** One-line message with the cause chain, bounded, for headers and logs. */
export function errorMessageOf(error: unknown, maxLength = 1000): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : describe(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  const text = parts.join(' <- caused by: ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/**
 * Invalid environment configuration: every problem listed, variable by variable (secret values never included).
 * Services exit with EXIT_CONFIG (78) on it; the CLI reports it as a usage error.
 */
export class ConfigError extends ConnectorError {
  constructor(readonly problems: readonly string[]) {
    super('CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
