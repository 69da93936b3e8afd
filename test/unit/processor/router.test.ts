import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../processor/errors.js';
import type { MessageHandler } from '../../../processor/handler.js';
import { ORDER_STATUS_HANDLER_NAME } from '../../../processor/handlers/order-status/handler.js';
import { ORDER_STATUS_MESSAGE_NAMES } from '../../../processor/handlers/order-status/index.js';
import { DEFAULT_ROUTES, formatRoutes, parseRoutes, Router } from '../../../processor/router.js';

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
    expect(() => r.route('e.f', 'one')).toThrow(/already started/);
    expect(() => r.addHandler(handler('late'))).toThrow(/already started/);
  });

  it('refuses to start without routes', () => {
    expect(() => new Router().freeze()).toThrow(/no message handlers/);
  });
});

describe('Router: routes are configuration, handlers have names', () => {
  it('a configured route reaches the handler registered under its name', () => {
    const r = new Router();
    const orderStatus = handler('order-status');
    r.addHandler(orderStatus);
    for (const route of parseRoutes(
      'fc.connect.order.webhook.order-status-update=order-status,my.custom.name=order-status',
    )) {
      r.route(route.messageName, route.handlerName);
    }
    r.freeze();
    expect(r.resolve('my.custom.name')).toBe(orderStatus);
    expect(r.resolve('fc.connect.order.webhook.order-status-update')).toBe(orderStatus);
    expect(r.messageNames()).toEqual(['fc.connect.order.webhook.order-status-update', 'my.custom.name']);
    expect(r.handlers()).toEqual([orderStatus]);
  });

  it('a route to a handler nobody registered fails the start, naming it and the registered ones', () => {
    const r = new Router();
    r.addHandler(handler('order-status'));
    r.route('my.custom.name', 'order-stauts');
    expect(() => r.freeze()).toThrow(ConfigurationError);
    expect(() => r.freeze()).toThrow(
      /"my.custom.name" → "order-stauts" \(PROCESSOR_ROUTES\); registered handlers: "order-status"/,
    );
  });

  it('a plugin replaces a built-in handler explicitly; the configured routes follow it', () => {
    const r = new Router();
    r.addHandler(handler('order-status'));
    r.route('a.b', 'order-status');
    const replacement = handler('acme-order-status');
    r.replaceHandler('order-status', replacement, 'plugin "acme"');
    r.freeze();
    expect(r.resolve('a.b')).toBe(replacement);
    expect(r.handlers()).toEqual([replacement]);
  });

  it('two handlers claiming one handler name, or one replaced twice, is a start-up error naming both', () => {
    const r = new Router();
    r.addHandler(handler('order-status'));
    expect(() => r.addHandler(handler('order-status'), 'plugin "acme"')).toThrow(
      /handler "order-status" is registered twice \(built-in and plugin "acme"\); use replaceHandler/,
    );
    r.replaceHandler('order-status', handler('first'), 'plugin "one"');
    expect(() => r.replaceHandler('order-status', handler('second'), 'plugin "two"')).toThrow(
      /handler "order-status" is replaced twice \(plugin "one" and plugin "two"\)/,
    );
    expect(() => r.replaceHandler('nope', handler('x'), 'plugin "one"')).toThrow(
      /plugin "one" replaces handler "nope", which is not registered \(registered: "order-status"\)/,
    );
  });

  it('a plugin taking over a configured message name needs { replace: true }; without it the error names both', () => {
    const r = new Router();
    r.addHandler(handler('order-status'));
    r.route('a.b', 'order-status');
    const mine = handler('acme');
    expect(() => r.registerHandler('a.b', mine, { by: 'plugin "acme"' })).toThrow(
      /duplicate route for "a.b": already handled by "order-status" \(PROCESSOR_ROUTES\), refusing "acme" \(plugin "acme"\); register it with \{ replace: true \}/,
    );
    r.registerHandler('a.b', mine, { replace: true, by: 'plugin "acme"' });
    r.freeze();
    expect(r.resolve('a.b')).toBe(mine);
    // The replaced route was the only one to order-status: it is not started for nothing.
    expect(r.handlers()).toEqual([mine]);
  });
});

describe('PROCESSOR_ROUTES syntax', () => {
  it('default: the order-status handler for its two message names', () => {
    expect(DEFAULT_ROUTES.map((r) => r.messageName)).toEqual([...ORDER_STATUS_MESSAGE_NAMES]);
    expect(new Set(DEFAULT_ROUTES.map((r) => r.handlerName))).toEqual(new Set([ORDER_STATUS_HANDLER_NAME]));
    expect(parseRoutes(formatRoutes(DEFAULT_ROUTES))).toEqual(DEFAULT_ROUTES);
  });

  it('name=handler pairs, blanks around entries ignored', () => {
    expect(parseRoutes(' a.b = order-status , , c.d=x ')).toEqual([
      { messageName: 'a.b', handlerName: 'order-status' },
      { messageName: 'c.d', handlerName: 'x' },
    ]);
  });

  it('every malformed or repeated entry is reported at once', () => {
    expect(() => parseRoutes('a.b,c.d=,=x,e f=x,g=h=i,a.c=x,a.c=y')).toThrow(
      '"a.b" is not <message name>=<handler name>; "c.d=" is not <message name>=<handler name>; ' +
        '"=x" is not <message name>=<handler name>; "e f=x" is not <message name>=<handler name>; ' +
        '"g=h=i" is not <message name>=<handler name>; "a.c" is routed twice',
    );
  });
});
