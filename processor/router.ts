/**
 * Router: Fluent message name → handler. Routes are registered before the runtime starts; a duplicate name or an
 * invalid registration throws immediately so a misconfigured deployment fails at start, not on the first record.
 */
import type { MessageHandler } from './handler.js';
import { ConfigurationError } from './errors.js';

/** Message names are Fluent event names such as `fc.connect.order.webhook.order-status-update`. */
const MESSAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/;

export type RegisterHandler = (messageName: string, handler: MessageHandler) => void;

export class Router {
  private readonly routes = new Map<string, MessageHandler>();
  private frozen = false;

  /** Adds a route. Throws ConfigurationError on an invalid name or handler, or a name already registered. */
  registerHandler(messageName: string, handler: MessageHandler): void {
    if (this.frozen) {
      throw new ConfigurationError(`cannot register "${messageName}": the processor has already started`);
    }
    if (typeof messageName !== 'string' || !MESSAGE_NAME.test(messageName)) {
      throw new ConfigurationError(
        `invalid message name ${JSON.stringify(messageName)}: use letters, digits and . _ : / - (max 255)`,
      );
    }
    if (
      !handler ||
      typeof handler !== 'object' ||
      typeof handler.handle !== 'function' ||
      typeof handler.name !== 'string' ||
      handler.name.trim() === ''
    ) {
      throw new ConfigurationError(
        `invalid handler for "${messageName}": expected { name: string, handle(ctx): Promise<HandlerOutcome> }`,
      );
    }
    const existing = this.routes.get(messageName);
    if (existing) {
      throw new ConfigurationError(
        `duplicate route for "${messageName}": already handled by "${existing.name}", refusing "${handler.name}"`,
      );
    }
    this.routes.set(messageName, handler);
  }

  /** The handler for a message name, or undefined when none is registered. */
  resolve(messageName: string): MessageHandler | undefined {
    return this.routes.get(messageName);
  }

  /** Registered message names, sorted. */
  messageNames(): string[] {
    return [...this.routes.keys()].sort();
  }

  /** Distinct handlers (one handler may serve several names), in registration order. */
  handlers(): MessageHandler[] {
    return [...new Set(this.routes.values())];
  }

  /** Called by the runtime at start: later registrations are refused. Throws if no route is registered. */
  freeze(): void {
    if (this.routes.size === 0) throw new ConfigurationError('no message handlers are registered');
    this.frozen = true;
  }
}
