import { describe, expect, it } from 'vitest';
import { ConnectorError, ERROR_BRAND, ERROR_CODES, isConnectorError, isRetriable } from '../../../common/index.js';
import {
  IngressError,
  errorBody,
  fromFastifyError,
  fromProduceError,
  isIngressError,
} from '../../../ingress/errors.js';

describe('IngressError', () => {
  it('is a connector error whose status and retriable flag come from the catalogue', () => {
    const error = new IngressError('MISSING_FIELDS', 'required fields are invalid', { missing: ['id'] });
    expect(isConnectorError(error)).toBe(true);
    expect(isIngressError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'IngressError', code: 'MISSING_FIELDS', status: 400, retriable: false });
    for (const code of ['KAFKA_UNAVAILABLE', 'REGISTRY_UNAVAILABLE', 'OVERLOADED', 'SHUTTING_DOWN'] as const) {
      const unavailable = new IngressError(code, 'retry later');
      expect(unavailable.status, code).toBe(503);
      expect(isRetriable(unavailable), code).toBe(true);
      expect(unavailable.status).toBe(ERROR_CODES[code].status);
    }
  });

  it('answers 500 for a code the catalogue gives no HTTP status', () => {
    expect(new IngressError('NO_ROUTE', 'x').status).toBe(500);
  });

  it('has a body of code, message and field details, never a stack or a cause', () => {
    const error = new IngressError('MISSING_FIELDS', 'bad', { missing: ['id'] }, { cause: new Error('secret') });
    expect(errorBody(error)).toEqual({ error: { code: 'MISSING_FIELDS', message: 'bad', missing: ['id'] } });
  });

  it('is told apart from other connector errors by its status, not by class', () => {
    expect(isIngressError(new ConnectorError('BATCH_TIMEOUT', 'x'))).toBe(false);
    expect(isIngressError({ [ERROR_BRAND]: true, code: 'NOT_FOUND', status: 404 })).toBe(true);
    expect(isIngressError(Object.assign(new Error('x'), { status: 404 }))).toBe(false);
  });
});

describe('fromProduceError (by code)', () => {
  const foreign = (code: string) => Object.assign(new Error(code), { [ERROR_BRAND]: true, code });
  it.each([
    ['REGISTRY_UNAVAILABLE', 'REGISTRY_UNAVAILABLE'],
    ['BATCHER_OVERLOADED', 'OVERLOADED'],
    ['BATCHER_CLOSED', 'SHUTTING_DOWN'],
    ['BATCH_TIMEOUT', 'KAFKA_UNAVAILABLE'],
  ])('%s → %s, from this copy of the modules or another', (from, to) => {
    for (const error of [new ConnectorError(from as 'BATCH_TIMEOUT', 'x'), foreign(from)]) {
      const mapped = fromProduceError(error);
      expect(mapped).toMatchObject({ code: to, status: 503 });
      expect(mapped.cause).toBe(error);
    }
  });

  it('treats any other failure as Kafka not acknowledging, and keeps an ingress error as it is', () => {
    expect(fromProduceError(new Error('ECONNREFUSED'))).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503 });
    const tooLarge = new IngressError('RECORD_TOO_LARGE', 'too large');
    expect(fromProduceError(tooLarge)).toBe(tooLarge);
  });
});

describe('fromFastifyError', () => {
  it.each([
    [{ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, 'PAYLOAD_TOO_LARGE', 413],
    [{ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, 'UNSUPPORTED_MEDIA_TYPE', 415],
    [{ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }, 'INVALID_JSON', 400],
    [{ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 }, 'INVALID_REQUEST', 400],
    [{ code: 'FST_ERR_SOMETHING', statusCode: 408 }, 'INVALID_REQUEST', 400],
    [new Error('boom'), 'INTERNAL_ERROR', 500],
  ])('%o → %s', (error, code, status) => {
    expect(fromFastifyError(error)).toMatchObject({ code, status });
  });

  it('never shows an internal message to the caller', () => {
    expect(fromFastifyError(new Error('at Broker.send (broker.js:1:1)')).message).toBe('internal error');
  });
});
