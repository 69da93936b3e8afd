import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../processor/errors.js';
import type { MessageHandler } from '../../../processor/handler.js';
import { Router } from '../../../processor/router.js';

const handler = (name: string): MessageHandler => ({ name, handle: () => Promise.resolve({ status: 'skipped' }) });

describe('Router', () => {
  it('resolves registered names; one handler may serve several names', () => {
    const r = new Router();
    const h = handler('order-status');
    r.registerHandler('fc.connect.order.webhook.order-status-update', h);
    r.registerHandler('fc.connect.order.webhook.status-update', h);
    expect(r.resolve('fc.connect.order.webhook.status-update')).toBe(h);
    expect(r.resolve('unknown')).toBeUndefined();
    expect(r.handlers()).toEqual([h]);
  });

  it('refuses duplicates, invalid names, invalid handlers and late registrations', () => {
    const r = new Router();
    r.registerHandler('a.b', handler('one'));
    expect(() => r.registerHandler('a.b', handler('two'))).toThrow(/duplicate route for "a.b".*"one".*"two"/);
    expect(() => r.registerHandler('', handler('x'))).toThrow(ConfigurationError);
    expect(() => r.registerHandler('has space', handler('x'))).toThrow(/invalid message name/);
    expect(() => r.registerHandler('c.d', { name: 'x' } as unknown as MessageHandler)).toThrow(/invalid handler/);
    expect(() => r.registerHandler('c.d', handler(' '))).toThrow(/invalid handler/);
    r.freeze();
    expect(() => r.registerHandler('e.f', handler('late'))).toThrow(/already started/);
  });

  it('refuses to start without routes', () => {
    expect(() => new Router().freeze()).toThrow(/no message handlers/);
  });
});
