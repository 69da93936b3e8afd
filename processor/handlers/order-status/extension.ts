/**
 * The order-status handler's extension point for plugins: `order-status.actions`, hooks that add actions to the
 * handler's single updateOrder (e.g. custom fields with details from the Fluent order). Plugins call
 * `addOrderStatusActions(hook)` (the first release's name, kept) or `extend('order-status.actions', hook)`. Hooks run
 * together for each update; their actions are appended to the status actions in plugin order.
 */
import type { ExtensionPoints } from '../../plugins.js';
import type { OrderUpdateAction } from './actions.js';
import type { ExtraActionsContext, ExtraActionsHook } from './handler.js';

export const ORDER_STATUS_ACTIONS = 'order-status.actions';

declare module '../../plugins.js' {
  interface PluginContext {
    /**
     * Adds actions to the built-in order-status handler's single updateOrder (e.g. custom fields with details from
     * the Fluent order). Hooks run in plugin order; their actions are appended to the status actions.
     */
    addOrderStatusActions: (hook: ExtraActionsHook) => void;
  }
}

/** The hooks given in code and by plugins, as the handler reads them: empty means none. */
export class ExtraActionHooks {
  private readonly hooks: ExtraActionsHook[] = [];

  constructor(initial: ExtraActionsHook | undefined, extensions: ExtensionPoints | undefined) {
    if (initial) this.hooks.push(initial);
    extensions?.define<ExtraActionsHook>({
      name: ORDER_STATUS_ACTIONS,
      contextMethod: 'addOrderStatusActions',
      add: (hook) => this.hooks.push(hook),
    });
  }

  get size(): number {
    return this.hooks.length;
  }

  /** Every hook's actions, in registration order. */
  async actionsFor(context: ExtraActionsContext): Promise<OrderUpdateAction[]> {
    return (await Promise.all(this.hooks.map((hook) => Promise.resolve(hook(context))))).flat();
  }
}
