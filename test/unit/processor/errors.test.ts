import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  DownstreamUnavailableError,
  errorCodeOf,
  isConnectorError,
  isOutage,
  isRetriable,
  NonRetryableError,
  NoRouteError,
  RetriesExhaustedError,
  RetryableError,
} from '../../../processor/errors.js';

describe('processor errors', () => {
  it.each([
    [new RetryableError('x'), 'RETRYABLE', true, false],
    [new DownstreamUnavailableError('fluent', 'x'), 'DOWNSTREAM_UNAVAILABLE', true, true],
    [new NonRetryableError('x'), 'NON_RETRYABLE', false, false],
    [new ConfigurationError('x'), 'CONFIGURATION', false, false],
    [new NoRouteError('x'), 'NO_ROUTE', false, false],
    [new RetriesExhaustedError('x'), 'RETRIES_EXHAUSTED', false, false],
  ])('%o carries its catalogue code and flags', (error, code, retriable, outage) => {
    expect(isConnectorError(error)).toBe(true);
    expect(errorCodeOf(error)).toBe(code);
    expect(isRetriable(error)).toBe(retriable);
    expect(isOutage(error)).toBe(outage);
    expect(error.canRetry).toBe(retriable);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the first release hierarchy for partner code that catches by class', () => {
    expect(new DownstreamUnavailableError('ct', 'x')).toBeInstanceOf(RetryableError);
    expect(new ConfigurationError('x')).toBeInstanceOf(NonRetryableError);
    class PartnerError extends RetryableError {}
    expect(errorCodeOf(new PartnerError('x'))).toBe('RETRYABLE');
  });

  it('puts the unavailable service in the details for logs', () => {
    const error = new DownstreamUnavailableError('commercetools', 'x', { details: { status: 503 } });
    expect(error.service).toBe('commercetools');
    expect(error.details).toEqual({ service: 'commercetools', status: 503 });
  });
});
