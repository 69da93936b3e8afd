/**
 * Credentials per commercetools project (credentials.ts): the projects JSON is validated with problems naming the
 * project and the field, never a value; each record's target is resolved from the account mapping's project and
 * store and the credentials configured for that project, else the CT_CLIENT_ID default, else a configuration error.
 */
import { describe, expect, it } from 'vitest';
import {
  CommercetoolsTenancy,
  parseProjects,
  scopesFor,
  sdkClientKeyOf,
  tenantKeyOf,
  type CredentialSettings,
} from '../../../../processor/commercetools/credentials.js';
import { ConfigurationError } from '../../../../processor/errors.js';

const SECRET = 'eu-secret-value';
const EU = { clientId: 'eu-client', clientSecret: SECRET };

const problemsOf = (value: unknown) => {
  const parsed = parseProjects(typeof value === 'string' ? value : JSON.stringify(value));
  return 'problems' in parsed ? parsed.problems : [];
};

describe('parseProjects', () => {
  it('accepts entries keyed by project key, URLs without a trailing slash', () => {
    const parsed = parseProjects(
      JSON.stringify({
        'acme-eu': { ...EU, apiUrl: 'https://api.europe-west1.gcp.commercetools.com/', storeKey: 'eu-store' },
        'acme-us': {
          clientId: 'us',
          clientSecret: 'us-secret',
          scope: 'manage_orders:{projectKey} view_orders:{projectKey}',
        },
      }),
    );
    expect(parsed).toEqual({
      projects: {
        'acme-eu': { ...EU, apiUrl: 'https://api.europe-west1.gcp.commercetools.com', storeKey: 'eu-store' },
        'acme-us': {
          clientId: 'us',
          clientSecret: 'us-secret',
          scope: 'manage_orders:{projectKey} view_orders:{projectKey}',
        },
      },
    });
  });

  it.each([
    [
      'a missing secret',
      { 'acme-eu': { clientId: 'eu' } },
      /^project "acme-eu": clientSecret: clientSecret is required/,
    ],
    [
      'an empty client id',
      { 'acme-eu': { clientId: ' ', clientSecret: SECRET } },
      /^project "acme-eu": clientId: .*empty/,
    ],
    ['a typo in a field name', { 'acme-eu': { ...EU, storekey: 'x' } }, /^project "acme-eu": unknown field "storekey"/],
    [
      'a bad URL',
      { 'acme-eu': { ...EU, authUrl: 'ftp://x' } },
      /^project "acme-eu": authUrl: must be an http\(s\) URL/,
    ],
    ['a bad store key', { 'acme-eu': { ...EU, storeKey: 'eu store' } }, /^project "acme-eu": storeKey: storeKey uses/],
    [
      'an entry that is not an object',
      { 'acme-eu': 'secret-in-the-wrong-place' },
      /^project "acme-eu": must be an object/,
    ],
    ['a bad project key', { 'acme eu': EU }, /^project key "acme eu": uses letters, digits/],
    ['a list instead of an object', [EU], /must be a JSON object keyed by project key/],
    ['no project', {}, /^names no project$/],
  ])('names the project and field of %s', (_label, value, expected) => {
    const problems = problemsOf(value);
    expect(problems.join('\n')).toMatch(expected);
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.join('\n')).not.toContain('secret-in-the-wrong-place');
  });

  it('bad JSON is reported without quoting the text around the error', () => {
    const problems = problemsOf(`{"acme-eu": {"clientId": "eu", "clientSecret": ${SECRET}}}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^is not valid JSON/);
    expect(problems[0]).not.toContain(SECRET);
  });
});

const URLS = { authUrl: 'https://auth.example', apiUrl: 'https://api.example' };
const DEFAULT: CredentialSettings = {
  ...URLS,
  clientId: 'default-client',
  clientSecret: 'default-secret',
  projectKey: 'my-project',
  scope: 'manage_orders:{projectKey}',
};

describe('CommercetoolsTenancy.target', () => {
  it('single project (today’s variables): every project is tried with CT_CLIENT_ID', () => {
    const tenancy = new CommercetoolsTenancy(DEFAULT);
    expect(tenancy.target('my-project')).toMatchObject({
      projectKey: 'my-project',
      credentials: { clientId: 'default-client', source: 'CT_CLIENT_ID' },
    });
    expect(tenancy.target('acme-eu').credentials.clientId).toBe('default-client');
  });

  it('a project’s own entry wins, with CT_AUTH_URL / CT_API_URL / CT_SCOPE as its defaults', () => {
    const tenancy = new CommercetoolsTenancy({ ...DEFAULT, projects: { 'acme-eu': EU } });
    const target = tenancy.target('acme-eu');
    expect(target.credentials).toEqual({
      ...EU,
      ...URLS,
      scope: 'manage_orders:{projectKey}',
      source: 'CT_PROJECTS_FILE "acme-eu"',
    });
    expect(scopesFor(target)).toEqual(['manage_orders:acme-eu']);
  });

  it('without default credentials, a project without an entry is that retailer’s configuration error', () => {
    const tenancy = new CommercetoolsTenancy({
      ...URLS,
      scope: 'manage_orders:{projectKey}',
      projects: { 'acme-eu': EU },
    });
    expect(() => tenancy.target('acme-us')).toThrowError(ConfigurationError);
    expect(() => tenancy.target('acme-us')).toThrowError(
      'no commercetools credentials for project "acme-us" (add it to CT_PROJECTS_FILE, or fix the account mapping)',
    );
  });

  it('the store key: the account mapping’s wins over the entry’s; CT_STORE_KEY only for CT_PROJECT_KEY', () => {
    const tenancy = new CommercetoolsTenancy({
      ...DEFAULT,
      storeKey: 'main-store',
      projects: { 'acme-eu': { ...EU, storeKey: 'eu-store' } },
    });
    expect(tenancy.target('acme-eu').storeKey).toBe('eu-store');
    expect(tenancy.target('acme-eu', 'eu-outlet').storeKey).toBe('eu-outlet');
    expect(tenancy.target('my-project').storeKey).toBe('main-store');
    expect(tenancy.target('other-project').storeKey).toBeUndefined();
  });

  it('a store-scoped scope template takes the store key; without one it is a configuration error', () => {
    const scope = 'manage_orders:{projectKey}:{storeKey}';
    const tenancy = new CommercetoolsTenancy({ ...DEFAULT, projects: { 'acme-eu': { ...EU, scope } } });
    expect(scopesFor(tenancy.target('acme-eu', 'eu-store'))).toEqual(['manage_orders:acme-eu:eu-store']);
    expect(() => tenancy.target('acme-eu')).toThrowError(
      /request a store scope \(\{storeKey\}\) for project "acme-eu"/,
    );
  });

  it('tenants: project + store + API client; SDK clients: project + API client + scopes', () => {
    const tenancy = new CommercetoolsTenancy({ ...DEFAULT, projects: { 'acme-eu': EU } });
    const eu = tenancy.target('acme-eu');
    const euStore = tenancy.target('acme-eu', 'eu-store');
    expect(tenantKeyOf(eu)).not.toBe(tenantKeyOf(euStore));
    expect(tenantKeyOf(eu)).toBe(tenantKeyOf(tenancy.target('acme-eu')));
    expect(tenantKeyOf(eu)).not.toBe(tenantKeyOf(new CommercetoolsTenancy(DEFAULT).target('acme-eu')));
    // A project-wide client's token serves every store of the project.
    expect(sdkClientKeyOf(eu)).toBe(sdkClientKeyOf(euStore));
    const scoped = new CommercetoolsTenancy({ ...DEFAULT, scope: 'manage_orders:{projectKey}:{storeKey}' });
    expect(sdkClientKeyOf(scoped.target('p', 'a'))).not.toBe(sdkClientKeyOf(scoped.target('p', 'b')));
  });

  it('describe() lists client ids, scopes, URLs and stores, never a secret', () => {
    const text = JSON.stringify(
      new CommercetoolsTenancy({ ...DEFAULT, projects: { 'acme-eu': { ...EU, storeKey: 'eu-store' } } }).describe(),
    );
    expect(text).toContain('eu-client');
    expect(text).toContain('eu-store');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('default-secret');
  });
});
