import { describe, expect, it } from 'vitest';
import { parseOrderStatusEnv } from '../../../../../processor/handlers/order-status/config.js';
import { configProblems, VALID_ENV } from './support/env.js';

describe('parseOrderStatusEnv', () => {
  it('applies defaults and trims trailing slashes', () => {
    const config = parseOrderStatusEnv(VALID_ENV);
    expect(config.fluent.baseUrl).toBe('https://acme.sandbox.api.fluentretail.com');
    expect(config.connectorName).toBe('commercetools');
    expect(config.correlation).toEqual({ strategy: 'orderNumber' });
    expect(config.orderFilter).toEqual({ types: [], refPattern: undefined });
    expect(config.settingsCacheTtlMs).toBe(300_000);
    expect(config.commercetools.scope).toBe('manage_orders:{projectKey}');
    expect(config.fluent.timeoutMs).toBe(10_000);
    expect(config.orderNotFoundMaxAttempts).toBe(3);
  });

  it('reads the handler variables', () => {
    const config = parseOrderStatusEnv({
      ...VALID_ENV,
      CONNECTOR_NAME: 'commerce-tools',
      ORDER_CORRELATION: 'strip-prefix',
      ORDER_CORRELATION_PREFIX: 'HD_',
      SETTINGS_CACHE_TTL: '30s',
      CT_HTTP_TIMEOUT: '2500ms',
      CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: '/etc/connector/update.graphql',
    });
    expect(config.connectorName).toBe('commerce-tools');
    expect(config.correlation).toMatchObject({ strategy: 'strip-prefix', prefixes: ['HD_'] });
    expect(config.settingsCacheTtlMs).toBe(30_000);
    expect(config.commercetools.timeoutMs).toBe(2_500);
    expect(config.commercetools.documents.updateOrder).toBe('/etc/connector/update.graphql');
  });

  it('names every missing or bad variable at once and never echoes secrets', () => {
    const list = configProblems({
      FLUENT_BASE_URL: 'not a url',
      FLUENT_CLIENT_SECRET: 'fluent-client-secret-value',
      ORDER_CORRELATION: 'attribute',
      SETTINGS_CACHE_TTL: 'soon',
    });
    const text = list.join('\n');
    for (const name of [
      'FLUENT_BASE_URL',
      'FLUENT_CLIENT_ID',
      'FLUENT_USERNAME',
      'FLUENT_PASSWORD',
      'CT_AUTH_URL',
      'CT_API_URL',
      'CT_CLIENT_ID',
      'CT_CLIENT_SECRET',
      'CT_PROJECT_KEY',
      'SETTINGS_CACHE_TTL',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('fluent-client-secret-value');
  });

  it('requires the prefix/attribute for their strategies', () => {
    expect(configProblems({ ...VALID_ENV, ORDER_CORRELATION: 'strip-prefix' }).join()).toContain(
      'ORDER_CORRELATION_PREFIX',
    );
    expect(configProblems({ ...VALID_ENV, ORDER_CORRELATION: 'attribute' }).join()).toContain(
      'ORDER_CORRELATION_ATTRIBUTE',
    );
    expect(configProblems({ ...VALID_ENV, ORDER_CORRELATION: 'email' }).join()).toContain('ORDER_CORRELATION');
  });
});

describe('correlation as real stores name orders', () => {
  it('reads several prefixes and a target', () => {
    const config = parseOrderStatusEnv({
      ...VALID_ENV,
      ORDER_CORRELATION: 'strip-prefix',
      ORDER_CORRELATION_PREFIX: 'HD_, CC_',
      ORDER_CORRELATION_TARGET: 'id',
    });
    expect(config.correlation).toMatchObject({ strategy: 'strip-prefix', prefixes: ['HD_', 'CC_'], target: 'id' });
  });

  it('reads a pattern with one capture group', () => {
    const config = parseOrderStatusEnv({
      ...VALID_ENV,
      ORDER_CORRELATION: 'strip-prefix',
      ORDER_CORRELATION_PATTERN: '^(?:HD|CC)_(.+)$',
    });
    expect(config.correlation.pattern?.source).toBe('^(?:HD|CC)_(.+)$');
    expect(config.correlation.prefixes).toBeUndefined();
  });

  it.each([
    [
      { ORDER_CORRELATION: 'strip-prefix', ORDER_CORRELATION_PATTERN: '^HD_(.+' },
      'ORDER_CORRELATION_PATTERN: is not a valid regular expression',
    ],
    [{ ORDER_CORRELATION: 'strip-prefix', ORDER_CORRELATION_PATTERN: '^HD_.+$' }, 'exactly one capture group'],
    [{ ORDER_CORRELATION: 'strip-prefix', ORDER_CORRELATION_PATTERN: '^(HD)_(.+)$' }, 'exactly one capture group'],
    [
      { ORDER_CORRELATION: 'strip-prefix', ORDER_CORRELATION_PATTERN: '^HD_(.+)$', ORDER_CORRELATION_PREFIX: 'HD_' },
      'exactly one of',
    ],
    [
      { ORDER_CORRELATION: 'orderNumber', ORDER_CORRELATION_PATTERN: '^HD_(.+)$' },
      'applies only to ORDER_CORRELATION=strip-prefix',
    ],
    [{ ORDER_CORRELATION: 'id', ORDER_CORRELATION_TARGET: 'orderNumber' }, 'ORDER_CORRELATION_TARGET'],
    [
      { ORDER_CORRELATION: 'strip-prefix', ORDER_CORRELATION_PREFIX: 'HD_', ORDER_CORRELATION_TARGET: 'email' },
      'ORDER_CORRELATION_TARGET',
    ],
  ])('rejects %j at start', (env, message) => {
    expect(configProblems({ ...VALID_ENV, ...env }).join('\n')).toContain(message);
  });

  it('never echoes the pattern it rejects', () => {
    expect(configProblems({ ...VALID_ENV, ORDER_REF_PATTERN: '(secret-ish' }).join('\n')).not.toContain('secret-ish');
  });
});

describe('order filter', () => {
  it('reads the order types (upper case) and the ref pattern', () => {
    const config = parseOrderStatusEnv({ ...VALID_ENV, ORDER_TYPES: 'hd, CC', ORDER_REF_PATTERN: '^(HD|CC)_' });
    expect(config.orderFilter?.types).toEqual(['HD', 'CC']);
    expect(config.orderFilter?.refPattern?.test('CC_1')).toBe(true);
  });

  it('rejects an invalid ref pattern at start', () => {
    expect(configProblems({ ...VALID_ENV, ORDER_REF_PATTERN: '[' }).join()).toContain('ORDER_REF_PATTERN');
  });
});

describe('empty variables take their defaults', () => {
  it('CT_CONFLICT_RETRIES= keeps 3 in-place conflict retries (it used to become 0)', () => {
    expect(parseOrderStatusEnv({ ...VALID_ENV, CT_CONFLICT_RETRIES: '' }).conflictRetries).toBe(3);
  });

  it('ORDER_VERSION_CACHE_SIZE= keeps the version cache (it used to disable it)', () => {
    expect(parseOrderStatusEnv({ ...VALID_ENV, ORDER_VERSION_CACHE_SIZE: '' }).versionCacheSize).toBe(50_000);
    expect(parseOrderStatusEnv({ ...VALID_ENV, ORDER_VERSION_CACHE_SIZE: '0' }).versionCacheSize).toBe(0);
  });

  it('every other optional variable: blank is the default, never 0 or a problem', () => {
    const blank = Object.fromEntries(
      [
        'HTTP_RETRIES',
        'HTTP_CONNECTIONS',
        'ORDER_NOT_FOUND_MAX_ATTEMPTS',
        'SETTINGS_CACHE_TTL',
        'FLUENT_HTTP_TIMEOUT',
        'CT_HTTP_TIMEOUT',
        'CT_SCOPE',
        'CONNECTOR_NAME',
        'ORDER_CORRELATION',
        'ORDER_CORRELATION_PREFIX',
        'ORDER_CORRELATION_PATTERN',
        'ORDER_CORRELATION_TARGET',
        'ORDER_TYPES',
        'ORDER_REF_PATTERN',
        'CT_GRAPHQL_UPDATE_ORDER_DOCUMENT',
        'CT_GRAPHQL_SCHEMA_FILE',
      ].map((name) => [name, '  ']),
    );
    const config = parseOrderStatusEnv({ ...VALID_ENV, ...blank });
    expect(config).toMatchObject({
      httpRetries: 2,
      httpConnections: 128,
      orderNotFoundMaxAttempts: 3,
      settingsCacheTtlMs: 300_000,
      connectorName: 'commercetools',
      correlation: { strategy: 'orderNumber' },
      fluent: { timeoutMs: 10_000 },
      commercetools: { timeoutMs: 10_000, scope: 'manage_orders:{projectKey}', documents: { updateOrder: undefined } },
    });
    expect(config.commercetools.schemaFile).toMatch(/commercetools-graphql-schema\.sdl$/);
  });

  it('blank required variables are still missing', () => {
    const text = configProblems({ ...VALID_ENV, FLUENT_BASE_URL: ' ', CT_CLIENT_ID: '' }).join('\n');
    expect(text).toContain('FLUENT_BASE_URL');
    expect(text).toContain('CT_CLIENT_ID');
  });

  it('rejects values out of range and malformed durations', () => {
    const text = configProblems({
      ...VALID_ENV,
      HTTP_RETRIES: '9',
      CT_CONFLICT_RETRIES: '-1',
      CT_HTTP_TIMEOUT: '0',
    }).join('\n');
    expect(text).toContain('HTTP_RETRIES');
    expect(text).toContain('CT_CONFLICT_RETRIES');
    expect(text).toContain('CT_HTTP_TIMEOUT');
  });
});
