import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../common/error-codes.js';
import {
  ConfigError,
  ConnectorError,
  ERROR_BRAND,
  errorCodeOf,
  errorMessageOf,
  isConnectorError,
  isOutage,
  isRetriable,
} from '../../../common/errors.js';
import { RegistryUnavailableError, UndecodableRecordError } from '../../../schemas/serde.js';

describe('the one error model', () => {
  it('takes retriable and outage from the catalogue, with explicit overrides', () => {
    const e = new ConnectorError('DOWNSTREAM_UNAVAILABLE', 'fluent is down');
    expect([e.code, e.retriable, e.outage, e.canRetry, e.name]).toEqual([
      'DOWNSTREAM_UNAVAILABLE',
      true,
      true,
      true,
      'ConnectorError',
    ]);
    const notRetriable = new ConnectorError('RETRYABLE', 'partner says no', { retriable: false });
    expect(isRetriable(notRetriable)).toBe(false);
  });

  it('recognises errors by brand, also from another copy of the module', () => {
    // A plugin bundling its own copy: a plain object shaped like ours, carrying the global-registry brand.
    const foreign = Object.assign(new Error('from a plugin copy'), {
      [Symbol.for('fluent-commercetools-connector.error')]: true,
      code: 'NON_RETRYABLE',
      retriable: false,
      outage: false,
    });
    expect(isConnectorError(foreign)).toBe(true);
    expect(isRetriable(foreign)).toBe(false);
    expect(errorCodeOf(foreign)).toBe('NON_RETRYABLE');
    expect(foreign[ERROR_BRAND]).toBe(true);
  });

  it('treats unbranded errors as retriable and not an outage (bounded by the retry tiers)', () => {
    expect(isConnectorError(new TypeError('x'))).toBe(false);
    expect(isRetriable(new TypeError('x'))).toBe(true);
    expect(isOutage(new TypeError('x'))).toBe(false);
    expect(errorCodeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorCodeOf('text')).toBe('Unknown');
  });

  it('brands the serde errors in the contract layer with catalogue codes', () => {
    const undecodable = new UndecodableRecordError('bad magic byte');
    const registry = new RegistryUnavailableError('503');
    for (const e of [undecodable, registry]) {
      expect(isConnectorError(e)).toBe(true);
      const spec = ERROR_CODES[e.code];
      expect([e.retriable, e.outage]).toEqual([spec.retriable, spec.outage]);
    }
    expect(isOutage(registry)).toBe(true);
    expect(isRetriable(undecodable)).toBe(false);
  });

  it('ConfigError lists every problem and is the CONFIG code', () => {
    const e = new ConfigError(['A: must be a whole number', 'B: is required']);
    expect(e.message).toBe('invalid configuration:\n  - A: must be a whole number\n  - B: is required');
    expect(e.code).toBe('CONFIG');
    expect(ERROR_CODES.CONFIG.exitCode).toBe(78);
  });

  it('errorMessageOf follows the cause chain and bounds the length', () => {
    const e = new ConnectorError('RETRYABLE', 'outer', { cause: new Error('inner') });
    expect(errorMessageOf(e)).toBe('outer <- caused by: inner');
    expect(errorMessageOf(new Error('x'.repeat(50)), 10)).toHaveLength(10);
  });

  it('every catalogue entry describes itself; HTTP statuses and exit codes are in range', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(spec.description.length).toBeGreaterThan(5);
      if ('status' in spec) expect(spec.status).toBeGreaterThanOrEqual(400);
      if ('exitCode' in spec) expect(spec.exitCode).toBeGreaterThan(0);
    }
  });
});
