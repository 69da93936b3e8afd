/**
 * Public API of the processor for partners, imported by package name:
 *
 *   import type { MessageHandler, PluginContext } from 'fluent-commercetools-connector/processor';
 *   import { NonRetryableError, RetryableError } from 'fluent-commercetools-connector/processor';
 *
 * Write a MessageHandler, register it for a message name (in code via Router.registerHandler or as a
 * PROCESSOR_PLUGINS module), and throw the processor's errors to steer retries (processor/README.md).
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
  errorCodeOf,
  errorMessageOf,
  isConnectorError,
  isOutage,
  isRetriable,
  isRetryable,
  type BrandedError,
  type ErrorDetails,
} from './errors.js';
export { Router, type RegisterHandler, type RegisterOptions, type ReplaceHandler } from './router.js';
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
