/**
 * Partner plugins (PROCESSOR_PLUGINS): each entry is a module path (absolute, relative to the working directory, or
 * a package name). The module's `register` export, or its default export, is called once at start with a
 * PluginContext and may be async. A module that cannot be loaded or has no such function fails the start with a
 * ConfigurationError naming it.
 *
 * Built-in handlers offer extension points (named hooks a plugin may add, e.g. `order-status.actions`): a handler
 * defines its points on an ExtensionPoints registry, plugins call `extend(name, hook)` or the registration method the
 * point names (e.g. `addOrderStatusActions(hook)`), and the registry is sealed once every plugin is loaded. The
 * loader knows no handler: a handler adds its method to PluginContext's type by declaration merging.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { ConfigurationError } from './errors.js';
import type { RegisterHandler, ReplaceHandler, Router } from './router.js';

/** What a plugin's register function receives. Built-in handlers add their registration methods (see above). */
export interface PluginContext {
  /**
   * Routes a Fluent message name to a handler of the plugin's own; `{ replace: true }` takes over a name that is
   * already routed (e.g. by PROCESSOR_ROUTES), otherwise that is a start-up error naming both handlers.
   */
  registerHandler: RegisterHandler;
  /** Replaces a registered handler (e.g. the built-in `order-status`) wherever PROCESSOR_ROUTES routes to it. */
  replaceHandler: ReplaceHandler;
  /** Adds `hook` to the extension point `point` of a built-in handler (e.g. `order-status.actions`). */
  extend: (point: string, hook: unknown) => void;
  logger: Logger;
  /** The process environment, for plugins that read their own settings. */
  env: NodeJS.ProcessEnv;
}

export type ProcessorPlugin = (context: PluginContext) => void | Promise<void>;

/** Any function: a hook's parameters are its extension point's business. */
type Hook = (...args: never[]) => unknown;

export interface ExtensionPoint<H extends Hook> {
  /** Stable name plugins pass to `extend`, `<handler>.<what>`. */
  readonly name: string;
  /** Also offered on the plugin context as `context[contextMethod](hook)`. */
  readonly contextMethod?: string;
  /** Takes a plugin's hook (already checked to be a function). */
  readonly add: (hook: H) => void;
}

/** The extension points built-in handlers offer to plugins; sealed once plugins are loaded. */
export class ExtensionPoints {
  private readonly points = new Map<string, ExtensionPoint<Hook>>();
  private sealed = false;

  define<H extends Hook>(point: ExtensionPoint<H>): void {
    if (this.points.has(point.name)) throw new ConfigurationError(`extension point "${point.name}" defined twice`);
    this.points.set(point.name, point as ExtensionPoint<Hook>);
  }

  /** Adds `hook` to the point `name`; `who` names the caller in errors (e.g. the plugin's path). */
  extend(name: string, hook: unknown, who = 'a plugin'): void {
    const point = this.points.get(name);
    if (!point) {
      const known = [...this.points.keys()].join(', ') || 'none';
      throw new ConfigurationError(`PROCESSOR_PLUGINS: ${who} extends "${name}", which no handler offers (${known})`);
    }
    if (this.sealed) throw new ConfigurationError(`PROCESSOR_PLUGINS: ${who} extends "${name}" after start`);
    if (typeof hook !== 'function') {
      throw new ConfigurationError(`PROCESSOR_PLUGINS: ${who} passed ${point.contextMethod ?? name} a non-function`);
    }
    point.add(hook as Hook);
  }

  /** The points' registration methods for a plugin context (`addOrderStatusActions`, …). */
  contextMethods(who: string): Record<string, (hook: unknown) => void> {
    const methods: Record<string, (hook: unknown) => void> = {};
    for (const point of this.points.values()) {
      if (point.contextMethod) methods[point.contextMethod] = (hook) => this.extend(point.name, hook, who);
    }
    return methods;
  }

  /** No more hooks: handlers may treat their lists as final. */
  seal(): void {
    this.sealed = true;
  }
}

function specifierFor(path: string, cwd: string): string {
  if (path.startsWith('file:')) return path;
  if (isAbsolute(path)) return pathToFileURL(path).href;
  const local = resolve(cwd, path);
  // `./x.js`, `plugins/x.js` (an existing file) → file URL; anything else is a package name (`@acme/fc-plugin`).
  if (path.startsWith('.') || existsSync(local)) return pathToFileURL(local).href;
  return path;
}

async function importRegister(path: string, cwd: string): Promise<ProcessorPlugin> {
  let mod: { default?: unknown; register?: unknown };
  try {
    mod = (await import(specifierFor(path, cwd))) as typeof mod;
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
  return register as ProcessorPlugin;
}

/** Loads every plugin in order, then seals `extensions`. */
export async function loadPlugins(options: {
  paths: readonly string[];
  router: Router;
  logger: Logger;
  /** The extension points of the built-in handlers. Default: none (plugins may only register handlers). */
  extensions?: ExtensionPoints;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<void> {
  const { paths, router, logger } = options;
  const extensions = options.extensions ?? new ExtensionPoints();
  for (const path of paths) {
    const register = await importRegister(path, options.cwd ?? process.cwd());
    const who = `"${path}"`;
    const pluginLogger = logger.child({ plugin: path });
    const registerHandler: RegisterHandler = (name, handler, opts) =>
      router.registerHandler(name, handler, { replace: opts?.replace, by: `plugin ${who}` });
    const replaceHandler: ReplaceHandler = (name, handler) => router.replaceHandler(name, handler, `plugin ${who}`);
    const base = {
      registerHandler,
      replaceHandler,
      extend: (point: string, hook: unknown) => extensions.extend(point, hook, who),
      logger: pluginLogger,
      env: options.env ?? process.env,
    };
    // The handlers' registration methods are typed on PluginContext by their own modules (declaration merging).
    await register({ ...extensions.contextMethods(who), ...base } as PluginContext);
    pluginLogger.info({ routes: router.messageNames() }, 'plugin loaded');
  }
  extensions.seal();
}
