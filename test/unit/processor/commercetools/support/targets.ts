/**
 * The commercetools API client the client tests address: project `p`, CT_CLIENT_ID credentials `c` / `s`, token and
 * GraphQL calls to one base URL. Overrides name only what a test is about.
 */
import type {
  CredentialSettings,
  CtTarget,
  ProjectCredentials,
} from '../../../../../processor/commercetools/credentials.js';

const CLIENT = { clientId: 'c', clientSecret: 's', scope: 'manage_orders:{projectKey}' } as const;

export interface CtTargetOverrides {
  readonly projectKey?: string;
  readonly storeKey?: string;
  readonly credentials?: Partial<ProjectCredentials>;
}

/** A resolved target (what the client is called with) for project `p`, or `overrides`' project, store, credentials. */
export function ctTarget(baseUrl: string, overrides: CtTargetOverrides = {}): CtTarget {
  const { projectKey = 'p', storeKey, credentials } = overrides;
  return {
    projectKey,
    ...(storeKey ? { storeKey } : {}),
    credentials: { authUrl: baseUrl, apiUrl: baseUrl, ...CLIENT, source: 'CT_CLIENT_ID', ...credentials },
  };
}

/** The same API client as configured (CT_* settings), for tests that resolve targets through CommercetoolsTenancy. */
export function ctSettings(baseUrl: string, overrides: Partial<CredentialSettings> = {}): CredentialSettings {
  return { authUrl: baseUrl, apiUrl: baseUrl, ...CLIENT, projectKey: 'p', ...overrides };
}
