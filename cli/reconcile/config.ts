/**
 * The variables reconcile reads besides the CLI's common ones (docs/configuration.md): Fluent's, as the processor
 * reads them, and the order-status handler's ORDER_TYPES, so the sweep lists the orders the handler syncs. Parsed
 * with common/env (unset or blank = default); a problem is a usage error naming every bad variable, never a value.
 */
import { z } from 'zod';
import { fluentAccountEnvSchema, fluentAccountFrom } from '../../common/fluent-account.js';
import { isConnectorError, list, parseEnv, text, type ConfigError } from '../../common/index.js';
import { usageError } from '../errors.js';
import type { FluentSettings } from './fluent.js';

const reconcileEnvSchema = z.object({
  ...fluentAccountEnvSchema.shape,
  FLUENT_ACCOUNT_ID: text(),
  ORDER_TYPES: list(),
});

export interface ReconcileSettings {
  readonly fluent: FluentSettings;
  /** The events' accountId: FLUENT_ACCOUNT_ID, else FLUENT_CLIENT_ID (Fluent's API client id is the account id). */
  readonly accountId: string;
  /** ORDER_TYPES, upper case; empty = every type. */
  readonly types: readonly string[];
}

export function parseReconcileEnv(env: NodeJS.ProcessEnv): ReconcileSettings {
  let e: z.output<typeof reconcileEnvSchema>;
  try {
    e = parseEnv(reconcileEnvSchema, env);
  } catch (error) {
    if (isConnectorError(error) && error.code === 'CONFIG') {
      const problems = (error as Partial<ConfigError>).problems ?? [error.message];
      throw usageError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    }
    throw error;
  }
  return {
    fluent: fluentAccountFrom(e),
    accountId: e.FLUENT_ACCOUNT_ID ?? e.FLUENT_CLIENT_ID,
    types: e.ORDER_TYPES.map((type) => type.toUpperCase()),
  };
}
