/**
 * Partner plugins (PROCESSOR_PLUGINS): each entry is a module path (absolute, relative to the working directory, or
 * a package name). The module's `register` export, or its default export, is called once at start with
 * `{ registerHandler, addOrderStatusActions, logger, env }` and may be async. A module that cannot be loaded or has no such function fails the
 * start with a ConfigurationError naming it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { ConfigurationError } from './errors.js';
import type { ExtraActionsHook } from './handlers/order-status/index.js';
import type { RegisterHandler, Router } from './router.js';

export interface PluginContext {
  /** Routes another Fluent message name to a handler of the plugin's own. */
  registerHandler: RegisterHandler;
  /**
   * Adds actions to the built-in order-status handler's single updateOrder (e.g. custom fields with details from the
   * Fluent order). Hooks run in plugin order; their actions are appended to the status actions.
   */
  addOrderStatusActions: (hook: ExtraActionsHook) => void;
  logger: Logger;
  /** The process environment, for plugins that read their own settings. */
  env: NodeJS.ProcessEnv;
}

export type ProcessorPlugin = (context: PluginContext) => void | Promise<void>;

function specifierFor(path: string, cwd: string): string {
  if (path.startsWith('file:')) return path;
  if (isAbsolute(path)) return pathToFileURL(path).href;
  const local = resolve(cwd, path);
  // `./x.js`, `plugins/x.js` (an existing file) → file URL; anything else is a package name (`@acme/fc-plugin`).
  if (path.startsWith('.') || existsSync(local)) return pathToFileURL(local).href;
  return path;
}

export async function loadPlugins(options: {
  paths: readonly string[];
  router: Router;
  logger: Logger;
  /** Where addOrderStatusActions hooks go. Default: plugins cannot extend the order-status handler. */
  addOrderStatusActions?: (hook: ExtraActionsHook) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<void> {
  const { paths, router, logger } = options;
  const addOrderStatusActions =
    options.addOrderStatusActions ??
    (() => {
      throw new ConfigurationError('PROCESSOR_PLUGINS: the order-status handler is not available to extend here');
    });
  for (const path of paths) {
    let mod: { default?: unknown; register?: unknown };
    try {
      mod = (await import(specifierFor(path, options.cwd ?? process.cwd()))) as typeof mod;
    } catch (error) {
      throw new ConfigurationError(`PROCESSOR_PLUGINS: cannot load "${path}": ${String(error)}`, { cause: error });
    }
    const register =
      typeof mod.register === 'function' ? mod.register : typeof mod.default === 'function' ? mod.default : undefined;
    if (!register) {
      throw new ConfigurationError(
        `PROCESSOR_PLUGINS: "${path}" exports neither a register function nor a default function`,
      );
    }
    const pluginLogger = logger.child({ plugin: path });
    await (register as ProcessorPlugin)({
      registerHandler: (name, handler) => router.registerHandler(name, handler),
      addOrderStatusActions: (hook) => {
        if (typeof hook !== 'function') {
          throw new ConfigurationError(`PROCESSOR_PLUGINS: "${path}" passed addOrderStatusActions a non-function`);
        }
        addOrderStatusActions(hook);
      },
      logger: pluginLogger,
      env: options.env ?? process.env,
    });
    pluginLogger.info({ routes: router.messageNames() }, 'plugin loaded');
  }
}
