/**
 * Public API of the processor for partners: write a MessageHandler, register it for a message name (in code via
 * Router.registerHandler or as a PROCESSOR_PLUGINS module), throw the typed errors to steer retries.
 */
export type { HandlerContext, HandlerOutcome, MessageHandler } from './handler.js';
export {
  ConfigurationError,
  ConnectorError,
  DownstreamUnavailableError,
  NonRetryableError,
  NoRouteError,
  RetriesExhaustedError,
  RetryableError,
  errorClassOf,
  errorMessageOf,
  isRetryable,
  type ErrorDetails,
} from './errors.js';
export { Router, type RegisterHandler } from './router.js';
export { loadPlugins, type PluginContext, type ProcessorPlugin } from './plugins.js';
export {
  startProcessor,
  type RecordEvent,
  type RecordOutcome,
  type RunningProcessor,
  type StartProcessorOptions,
} from './runtime.js';
export { loadProcessorConfig, runtimeConfigFrom, type ProcessorConfig, type ProcessorRuntimeConfig } from './config.js';
export type { ExtraActionsContext, ExtraActionsHook, OrderUpdateAction } from './handlers/order-status/index.js';
