/**
 * Partner plugins (PROCESSOR_PLUGINS): each entry is a module path (absolute, relative to the working directory, or
 * a package name). The module's `register` export, or its default export, is called once at start with
 * `{ registerHandler, logger }` and may be async. A module that cannot be loaded or has no such function fails the
 * start with a ConfigurationError naming it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { ConfigurationError } from './errors.js';
import type { RegisterHandler, Router } from './router.js';

export interface PluginContext {
  registerHandler: RegisterHandler;
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
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<void> {
  const { paths, router, logger } = options;
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
      logger: pluginLogger,
      env: options.env ?? process.env,
    });
    pluginLogger.info({ routes: router.messageNames() }, 'plugin loaded');
  }
}
