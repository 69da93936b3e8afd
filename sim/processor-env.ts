/** The processor's variables (docs/configuration.md) that point it at a running pair of simulators. */
import type { startCommercetoolsSim } from './commercetools/index.js';
import type { startFluentSim } from './fluent/index.js';

type FluentSim = Pick<Awaited<ReturnType<typeof startFluentSim>>, 'url' | 'credentials'>;
type CommercetoolsSim = Pick<
  Awaited<ReturnType<typeof startCommercetoolsSim>>,
  'authUrl' | 'apiUrl' | 'credentials' | 'defaultProjectKey'
>;

export function processorEnvFor(fluent: FluentSim, ct: CommercetoolsSim): Record<string, string> {
  return {
    FLUENT_BASE_URL: fluent.url,
    FLUENT_CLIENT_ID: fluent.credentials.clientId,
    FLUENT_CLIENT_SECRET: fluent.credentials.clientSecret,
    FLUENT_USERNAME: fluent.credentials.username,
    FLUENT_PASSWORD: fluent.credentials.password,
    CT_AUTH_URL: ct.authUrl,
    CT_API_URL: ct.apiUrl,
    CT_CLIENT_ID: ct.credentials.clientId,
    CT_CLIENT_SECRET: ct.credentials.clientSecret,
    CT_PROJECT_KEY: ct.defaultProjectKey,
  };
}
