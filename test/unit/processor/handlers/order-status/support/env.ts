/** The environment the order-status configuration tests parse: a complete single-project set, and its parts. */
import { expect } from 'vitest';
import { ConfigError } from '../../../../../../common/index.js';
import { parseOrderStatusEnv } from '../../../../../../processor/handlers/order-status/config.js';

/** The Fluent variables (the trailing slash of FLUENT_BASE_URL is there to be trimmed). */
export const FLUENT_ENV = {
  FLUENT_BASE_URL: 'https://acme.sandbox.api.fluentretail.com/',
  FLUENT_CLIENT_ID: 'ACME',
  FLUENT_CLIENT_SECRET: 'fluent-client-secret-value',
  FLUENT_USERNAME: 'acme_admin',
  FLUENT_PASSWORD: 'fluent-password-value',
};

/** CT_AUTH_URL / CT_API_URL: the default of every credentials set. */
export const CT_URLS_ENV = {
  CT_AUTH_URL: 'https://auth.europe-west1.gcp.commercetools.com',
  CT_API_URL: 'https://api.europe-west1.gcp.commercetools.com',
};

/** Everything required, with the single-project commercetools credentials (CT_CLIENT_ID, CT_PROJECT_KEY). */
export const VALID_ENV = {
  ...FLUENT_ENV,
  ...CT_URLS_ENV,
  CT_CLIENT_ID: 'ct-id',
  CT_CLIENT_SECRET: 'ct-secret-value',
  CT_PROJECT_KEY: 'my-project',
};

/** The problems parseOrderStatusEnv refuses `env` with (fails the test when it accepts it). */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    parseOrderStatusEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}
