/**
 * Router: Fluent message name → handler. Handlers are registered by name (the built-in `order-status`), routes are
 * configuration (PROCESSOR_ROUTES: message name → handler name), and plugins may route more names to handlers of
 * their own or replace a handler by name. Everything is settled before the runtime starts: two handlers claiming one
 * name without `replace`, an invalid registration, or a route to a handler nobody registered throws a
 * ConfigurationError at start, not on the first record.
 */
import type { MessageHandler } from './handler.js';
import { ConfigurationError } from './errors.js';

/** Message names are Fluent event names such as `fc.connect.order.webhook.order-status-update`. */
const MESSAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/;
const HANDLER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export interface RegisterOptions {
  /** Take over a message name another handler already claims (a configured route or an earlier plugin). */
  readonly replace?: boolean;
}

/** What a plugin calls to route a message name to a handler of its own. */
export type RegisterHandler = (messageName: string, handler: MessageHandler, options?: RegisterOptions) => void;

/** What a plugin calls to replace a registered handler (e.g. the built-in `order-status`) wherever it is routed. */
export type ReplaceHandler = (handlerName: string, handler: MessageHandler) => void;

/** One PROCESSOR_ROUTES entry. */
export interface Route {
  readonly messageName: string;
  readonly handlerName: string;
}

/** The built-in routes (the order-status handler's message names; docs/architecture.md, "Fluent"). */
export const DEFAULT_ROUTES: readonly Route[] = Object.freeze([
  { messageName: 'fc.connect.order.webhook.order-status-update', handlerName: 'order-status' },
  { messageName: 'fc.connect.order.webhook.status-update', handlerName: 'order-status' },
]);

/** `name=handler,name=handler` (the PROCESSOR_ROUTES syntax). */
export function formatRoutes(routes: readonly Route[]): string {
  return routes.map((r) => `${r.messageName}=${r.handlerName}`).join(',');
}

/** Parses PROCESSOR_ROUTES; throws an Error listing every malformed or repeated entry. */
export function parseRoutes(text: string): Route[] {
  const routes: Route[] = [];
  const problems: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (!entry) continue;
    const [messageName = '', handlerName = '', ...rest] = entry.split('=').map((p) => p.trim());
    if (rest.length > 0 || !MESSAGE_NAME.test(messageName) || !HANDLER_NAME.test(handlerName)) {
      problems.push(`"${entry}" is not <message name>=<handler name>`);
    } else if (routes.some((r) => r.messageName === messageName)) {
      problems.push(`"${messageName}" is routed twice`);
    } else {
      routes.push({ messageName, handlerName });
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return routes;
}

/** Who claims a message name: a handler object (a plugin's) or a handler name (a configured route). */
type Claim =
  | { readonly kind: 'handler'; readonly handler: MessageHandler; readonly by: string }
  | { readonly kind: 'named'; readonly handlerName: string; readonly by: string };

export class Router {
  /** Handlers by name: built-ins, and plugin replacements of them. */
  private readonly named = new Map<string, { handler: MessageHandler; by: string; replacedBy?: string }>();
  private readonly claims = new Map<string, Claim>();
  private resolved: ReadonlyMap<string, MessageHandler> | undefined;

  /** Registers a handler under its name, for routes to name it. Throws when the name is taken. */
  addHandler(handler: MessageHandler, by = 'built-in'): void {
    this.checkOpen(`handler "${String(handler?.name)}"`);
    checkHandler(handler, `handler registered by ${by}`);
    const existing = this.named.get(handler.name);
    if (existing) {
      throw new ConfigurationError(
        `handler "${handler.name}" is registered twice (${existing.by} and ${by}); use replaceHandler to replace it`,
      );
    }
    this.named.set(handler.name, { handler, by });
  }

  /** Routes to `handlerName` now reach `handler`. Throws when no such handler exists or it was replaced already. */
  replaceHandler(handlerName: string, handler: MessageHandler, by = 'a plugin'): void {
    this.checkOpen(`replacement of "${handlerName}"`);
    checkHandler(handler, `replacement of "${handlerName}" by ${by}`);
    const existing = this.named.get(handlerName);
    if (!existing) {
      throw new ConfigurationError(
        `${by} replaces handler "${handlerName}", which is not registered (registered: ${this.handlerNames()})`,
      );
    }
    if (existing.replacedBy) {
      throw new ConfigurationError(`handler "${handlerName}" is replaced twice (${existing.replacedBy} and ${by})`);
    }
    this.named.set(handlerName, { handler, by: existing.by, replacedBy: by });
  }

  /** A configured route: `messageName` goes to the handler registered as `handlerName` (checked by freeze). */
  route(messageName: string, handlerName: string, by = 'PROCESSOR_ROUTES'): void {
    this.claim(messageName, { kind: 'named', handlerName, by }, false);
  }

  /** Routes `messageName` to `handler`. Throws on an invalid name or handler, or a name already claimed. */
  registerHandler(messageName: string, handler: MessageHandler, options: RegisterOptions & { by?: string } = {}): void {
    checkHandler(handler, `handler for "${messageName}"`);
    this.claim(messageName, { kind: 'handler', handler, by: options.by ?? 'registerHandler' }, options.replace);
  }

  /** The handler for a message name, or undefined when none is routed. */
  resolve(messageName: string): MessageHandler | undefined {
    if (this.resolved) return this.resolved.get(messageName);
    const claim = this.claims.get(messageName);
    return claim && this.handlerOf(claim);
  }

  /** Routed message names, sorted. */
  messageNames(): string[] {
    return [...this.claims.keys()].sort();
  }

  /** Distinct routed handlers (one handler may serve several names), in routing order. */
  handlers(): MessageHandler[] {
    const handlers = [...this.claims.values()].map((c) => this.handlerOf(c));
    return [...new Set(handlers.filter((h): h is MessageHandler => h !== undefined))];
  }

  /**
   * Called by the runtime at start: later registrations are refused. Throws if no route is registered or a route
   * names a handler nobody registered.
   */
  freeze(): void {
    if (this.resolved) return;
    if (this.claims.size === 0) throw new ConfigurationError('no message handlers are registered');
    const resolved = new Map<string, MessageHandler>();
    const unknown: string[] = [];
    for (const [messageName, claim] of this.claims) {
      const handler = this.handlerOf(claim);
      if (handler) resolved.set(messageName, handler);
      else if (claim.kind === 'named') unknown.push(`"${messageName}" → "${claim.handlerName}" (${claim.by})`);
    }
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `routes to unknown handlers: ${unknown.join(', ')}; registered handlers: ${this.handlerNames()}`,
      );
    }
    this.resolved = resolved;
  }

  private claim(messageName: string, claim: Claim, replace: boolean | undefined): void {
    this.checkOpen(`"${messageName}"`);
    if (typeof messageName !== 'string' || !MESSAGE_NAME.test(messageName)) {
      throw new ConfigurationError(
        `invalid message name ${JSON.stringify(messageName)}: use letters, digits and . _ : / - (max 255)`,
      );
    }
    const existing = this.claims.get(messageName);
    if (existing && !replace) {
      throw new ConfigurationError(
        `duplicate route for "${messageName}": already handled by "${claimedBy(existing)}" (${existing.by}), ` +
          `refusing "${claimedBy(claim)}" (${claim.by}); register it with { replace: true } to take the name over`,
      );
    }
    this.claims.set(messageName, claim);
  }

  private handlerOf(claim: Claim): MessageHandler | undefined {
    return claim.kind === 'handler' ? claim.handler : this.named.get(claim.handlerName)?.handler;
  }

  private handlerNames(): string {
    return [...this.named.keys()].map((n) => `"${n}"`).join(', ') || 'none';
  }

  private checkOpen(what: string): void {
    if (this.resolved) throw new ConfigurationError(`cannot register ${what}: the processor has already started`);
  }
}

function claimedBy(claim: Claim): string {
  return claim.kind === 'handler' ? claim.handler.name : claim.handlerName;
}

function checkHandler(handler: MessageHandler, what: string): void {
  if (
    !handler ||
    typeof handler !== 'object' ||
    typeof handler.handle !== 'function' ||
    typeof handler.name !== 'string' ||
    handler.name.trim() === ''
  ) {
    throw new ConfigurationError(`invalid ${what}: expected { name: string, handle(ctx): Promise<HandlerOutcome> }`);
  }
}
