/**
 * CT_PROJECTS_FILE / CT_PROJECTS (docs/configuration.md, "commercetools credentials per project"): a credentials set
 * per project from a mounted file or one variable, today's single-project variables as the default, both validated at
 * start with problems naming the variable, project and field; the start-up description never holds a secret.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeOrderStatusConfig,
  parseOrderStatusEnv,
} from '../../../../../processor/handlers/order-status/config.js';
import { configProblems, CT_URLS_ENV, FLUENT_ENV, VALID_ENV } from './support/env.js';

const PROJECTS = {
  'acme-eu': { clientId: 'eu-client', clientSecret: 'eu-secret-value' },
  'acme-us': {
    clientId: 'us-client',
    clientSecret: 'us-secret-value',
    apiUrl: 'https://api.us-central1.gcp.commercetools.com',
    authUrl: 'https://auth.us-central1.gcp.commercetools.com',
    storeKey: 'us-store',
    scope: 'manage_orders:{projectKey}:{storeKey}',
  },
};

function projectsFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ct-projects-')), 'projects.json');
  writeFileSync(path, content);
  return path;
}

describe('commercetools credentials per project', () => {
  it('today’s single-project variables alone still configure the connector', () => {
    const config = parseOrderStatusEnv(VALID_ENV);
    expect(config.commercetools).toMatchObject({ clientId: 'ct-id', projectKey: 'my-project', projects: undefined });
  });

  it('CT_PROJECTS_FILE: the single-project variables become optional', () => {
    const file = projectsFile(JSON.stringify(PROJECTS));
    const config = parseOrderStatusEnv({
      ...FLUENT_ENV,
      ...CT_URLS_ENV,
      CT_PROJECTS_FILE: file,
      CT_PROJECT_KEY: 'acme-eu',
    });
    expect(config.commercetools.projects).toEqual(PROJECTS);
    expect(config.commercetools.projectsSource).toBe('CT_PROJECTS_FILE');
    expect(config.commercetools.clientId).toBeUndefined();
  });

  it('CT_PROJECTS: the same JSON in one variable, beside the default credentials', () => {
    const config = parseOrderStatusEnv({ ...VALID_ENV, CT_PROJECTS: JSON.stringify(PROJECTS) });
    expect(config.commercetools.projects).toEqual(PROJECTS);
    expect(config.commercetools.projectsSource).toBe('CT_PROJECTS');
    expect(config.commercetools.clientId).toBe('ct-id');
  });

  it('both set is a configuration error', () => {
    const file = projectsFile(JSON.stringify(PROJECTS));
    expect(configProblems({ ...VALID_ENV, CT_PROJECTS_FILE: file, CT_PROJECTS: JSON.stringify(PROJECTS) })).toEqual([
      'CT_PROJECTS: set CT_PROJECTS_FILE or CT_PROJECTS, not both',
    ]);
  });

  it('problems name the variable, the project and the field, never a secret', () => {
    const broken = {
      'acme-eu': { clientId: 'eu-client' },
      'acme-us': { clientSecret: 'us-secret-value', apiUrl: 'x' },
    };
    const list = configProblems({ ...VALID_ENV, CT_PROJECTS: JSON.stringify(broken) });
    expect(list).toEqual([
      'CT_PROJECTS: project "acme-eu": clientSecret: clientSecret is required (a non-empty string)',
      'CT_PROJECTS: project "acme-us": clientId: clientId is required (a non-empty string)',
      'CT_PROJECTS: project "acme-us": apiUrl: must be an http(s) URL',
    ]);
    expect(list.join('\n')).not.toContain('us-secret-value');
  });

  it('an unreadable file names the path; bad JSON is not echoed', () => {
    expect(configProblems({ ...VALID_ENV, CT_PROJECTS_FILE: '/nonexistent/projects.json' })).toEqual([
      'CT_PROJECTS_FILE: cannot read /nonexistent/projects.json (ENOENT)',
    ]);
    const list = configProblems({
      ...VALID_ENV,
      CT_PROJECTS_FILE: projectsFile('{"acme-eu": {"clientSecret": s3cr3t}}'),
    });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^CT_PROJECTS_FILE: is not valid JSON/);
    expect(list[0]).not.toContain('s3cr3t');
  });

  it('what the projects set does not cover is still required, named', () => {
    const file = projectsFile(JSON.stringify({ 'acme-eu': PROJECTS['acme-eu'] }));
    // acme-eu has no URLs of its own, and CT_PROJECT_KEY names a project without credentials.
    expect(configProblems({ ...FLUENT_ENV, CT_PROJECTS_FILE: file, CT_PROJECT_KEY: 'acme-us' })).toEqual([
      'CT_PROJECT_KEY: project "acme-us" has no credentials: add it to CT_PROJECTS_FILE or set CT_CLIENT_ID and CT_CLIENT_SECRET',
      'CT_AUTH_URL: is required (unless every CT_PROJECTS_FILE entry has its own authUrl)',
      'CT_API_URL: is required (unless every CT_PROJECTS_FILE entry has its own apiUrl)',
    ]);
    expect(configProblems({ ...VALID_ENV, CT_CLIENT_SECRET: '', CT_PROJECTS: JSON.stringify(PROJECTS) })).toEqual([
      'CT_CLIENT_SECRET: is required with CT_CLIENT_ID',
    ]);
    expect(configProblems({ ...FLUENT_ENV, ...CT_URLS_ENV, CT_PROJECTS_FILE: file, CT_STORE_KEY: 'main' })).toEqual([
      'CT_STORE_KEY: applies to the CT_CLIENT_ID credentials; set "storeKey" in the CT_PROJECTS_FILE entry instead',
    ]);
  });

  it('the start-up description holds client ids, scopes and stores, never a secret', () => {
    const config = parseOrderStatusEnv({
      ...VALID_ENV,
      CT_STORE_KEY: 'main-store',
      CT_PROJECTS: JSON.stringify(PROJECTS),
    });
    const described = describeOrderStatusConfig(config);
    expect(described.commercetools).toMatchObject({
      defaultProjectKey: 'my-project',
      defaultCredentials: { clientId: 'ct-id', storeKey: 'main-store' },
      projects: { 'acme-eu': { clientId: 'eu-client' }, 'acme-us': { clientId: 'us-client', storeKey: 'us-store' } },
    });
    const text = JSON.stringify(described);
    for (const secret of ['ct-secret-value', 'eu-secret-value', 'us-secret-value', 'fluent-client-secret-value']) {
      expect(text).not.toContain(secret);
    }
  });

  it('in-store document overrides are read from their variables', () => {
    const config = parseOrderStatusEnv({
      ...VALID_ENV,
      CT_GRAPHQL_UPDATE_ORDER_IN_STORE_DOCUMENT: '/etc/connector/update-in-store.graphql',
      CT_GRAPHQL_ORDER_BY_NUMBER_IN_STORE_DOCUMENT: '/etc/connector/by-number-in-store.graphql',
      CT_GRAPHQL_ORDER_BY_ID_IN_STORE_DOCUMENT: '/etc/connector/by-id-in-store.graphql',
    });
    expect(config.commercetools.documents).toMatchObject({
      updateOrderInStore: '/etc/connector/update-in-store.graphql',
      orderByNumberInStore: '/etc/connector/by-number-in-store.graphql',
      orderByIdInStore: '/etc/connector/by-id-in-store.graphql',
    });
  });
});
