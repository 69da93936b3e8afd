/**
 * The Fluent API account the processor and the reconcile command sign in with (FLUENT_* in docs/configuration.md):
 * one env schema and one settings shape, so both read the variables the same way.
 */
import { z } from 'zod';
import { duration, requiredText, url } from './env.js';

/** Password-grant credentials and the per-call timeout of the Fluent account. */
export interface FluentAccount {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  /** Per-call timeout (FLUENT_HTTP_TIMEOUT). Default 10 s. */
  readonly timeoutMs: number;
}

export const fluentAccountEnvSchema = z.object({
  // common/env's url() lets an unset variable through as undefined: the string check reports it as missing.
  FLUENT_BASE_URL: url().pipe(z.string({ error: 'is required' })),
  FLUENT_CLIENT_ID: requiredText(),
  FLUENT_CLIENT_SECRET: requiredText(),
  FLUENT_USERNAME: requiredText(),
  FLUENT_PASSWORD: requiredText(),
  FLUENT_HTTP_TIMEOUT: duration({ default: '10s', min: 1 }),
});

export function fluentAccountFrom(e: z.output<typeof fluentAccountEnvSchema>): FluentAccount {
  return {
    baseUrl: e.FLUENT_BASE_URL,
    clientId: e.FLUENT_CLIENT_ID,
    clientSecret: e.FLUENT_CLIENT_SECRET,
    username: e.FLUENT_USERNAME,
    password: e.FLUENT_PASSWORD,
    timeoutMs: e.FLUENT_HTTP_TIMEOUT,
  };
}
