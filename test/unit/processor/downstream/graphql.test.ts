/** What both GraphQL clients share after their library answered: first root field, request errors, the call metric. */
import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError, RetryableError } from '../../../../processor/errors.js';
import { GraphqlEndpoint, type GraphqlResponse } from '../../../../processor/downstream/graphql.js';

const info = { operation: 'orderById', subject: 'fluent orderById (retailer 1)' };

function endpoint(calls: Array<{ operation: string; outcome: string }>) {
  return new GraphqlEndpoint({
    onCall: (operation, _seconds, outcome) => calls.push({ operation, outcome }),
    rejectedHint: 'check FLUENT_GRAPHQL_* document overrides',
  });
}

const answering = (res: GraphqlResponse<Record<string, unknown>>) => () => Promise.resolve(res);

describe('GraphqlEndpoint.call', () => {
  it('hands the first root field, whatever its alias, to the reader and records one ok call', async () => {
    const calls: Array<{ operation: string; outcome: string }> = [];
    const read = vi.fn((res: { field: unknown }) => res.field);
    const send = answering({ status: 200, data: { aliased: { id: '1' }, second: { id: '2' } } });
    expect(await endpoint(calls).call(info, send, read)).toEqual({ id: '1' });
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'ok' }]);
  });

  it('gives the reader null for null data and [] for no errors', async () => {
    const read = vi.fn((res: unknown) => res);
    await endpoint([]).call(info, answering({ status: 200, data: null }), read);
    expect(read).toHaveBeenCalledWith({ status: 200, field: null, errors: [] });
  });

  it('a request the server rejects as invalid is a configuration error naming the subject and the hint', async () => {
    const calls: Array<{ operation: string; outcome: string }> = [];
    const errors = [{ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION' } }];
    const error = await endpoint(calls)
      .call(info, answering({ status: 200, errors }), () => 'read')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'fluent orderById (retailer 1): the request was rejected (check FLUENT_GRAPHQL_* document overrides): ' +
        'GRAPHQL_VALIDATION: Cannot query field "nope"',
    );
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'error' }]);
  });

  it('execution errors (with data or a path) go to the reader', async () => {
    const errors = [{ message: 'conflict', path: ['updateOrder'], extensions: { code: 'ConcurrentModification' } }];
    const read = vi.fn((res: unknown) => res);
    await endpoint([]).call(info, answering({ status: 409, data: { updateOrder: null }, errors }), read);
    expect(read).toHaveBeenCalledWith({ status: 409, field: null, errors });
  });

  it('an error thrown by the sender or the reader fails the call', async () => {
    const calls: Array<{ operation: string; outcome: string }> = [];
    const failing = () => Promise.reject(new RetryableError('network'));
    await expect(endpoint(calls).call(info, failing, () => 'read')).rejects.toThrow('network');
    const read = () => {
      throw new RetryableError('fluent orderById: boom');
    };
    await expect(endpoint(calls).call(info, answering({ status: 200, data: {} }), read)).rejects.toThrow('boom');
    expect(calls).toEqual([
      { operation: 'orderById', outcome: 'error' },
      { operation: 'orderById', outcome: 'error' },
    ]);
  });
});
