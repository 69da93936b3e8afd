/**
 * Configuration of the order-status handler (docs/configuration.md), parsed from the environment with the
 * common/env helpers: unset, empty or blank means the default. `parseOrderStatusEnv` throws a ConfigError naming
 * every bad variable; secret values never appear in messages. `OrderStatusConfig` is also the dependency-injection shape for tests and benchmarks.
 */
import { z } from 'zod';
import { fluentAccountEnvSchema, fluentAccountFrom, type FluentAccount } from '../../../common/fluent-account.js';
import { bool, duration, int, list, oneOf, parseEnv, text, url } from '../../../common/env.js';
import {
  CommercetoolsTenancy,
  credentialProblems,
  parseProjects,
  readProjectsFile,
  type CredentialSettings,
  type ParsedProjects,
} from '../../commercetools/credentials.js';
import type { CommercetoolsDocumentOverrides } from '../../commercetools/documents.js';
import { BUNDLED_CT_SCHEMA_PATH } from '../../commercetools/schema-file.js';
import { DEFAULT_PROGRESSIONS, describeProgressions, parseProgressions, type Progressions } from './progressions.js';

export const CORRELATION_STRATEGIES = ['orderNumber', 'id', 'strip-prefix', 'attribute'] as const;
export type CorrelationStrategy = (typeof CORRELATION_STRATEGIES)[number];
export const CORRELATION_TARGETS = ['orderNumber', 'id'] as const;
export type CorrelationTarget = (typeof CORRELATION_TARGETS)[number];

export interface CorrelationConfig {
  /** How the commercetools order is found from the Fluent order. Default `orderNumber` (= Fluent `ref`). */
  readonly strategy: CorrelationStrategy;
  /** For `strip-prefix`: one prefix removed from the Fluent ref (configurations built in code; see `prefixes`). */
  readonly prefix?: string;
  /** For `strip-prefix`: prefixes removed from the Fluent ref, the longest that matches wins (e.g. `HD_`, `CC_`). */
  readonly prefixes?: readonly string[];
  /** For `strip-prefix`, instead of prefixes: a pattern whose one capture group is the commercetools value. */
  readonly pattern?: RegExp;
  /** For `strip-prefix` and `attribute`: the commercetools field the value is. Default `orderNumber`. */
  readonly target?: CorrelationTarget;
  /** For `attribute`: the Fluent order attribute whose value is the commercetools orderNumber (or id). */
  readonly attribute?: string;
}

/** Which Fluent orders the handler syncs; the others are skipped as `filtered` (docs/configuration.md). */
export interface OrderFilterConfig {
  /** Fluent order types synced (upper case), e.g. `HD`, `CC`. Empty or absent: every type. */
  readonly types?: readonly string[];
  /** Only orders whose Fluent ref matches are synced. Absent: every ref. */
  readonly refPattern?: RegExp;
}

export interface FluentConfig extends FluentAccount {
  /** File paths replacing the built-in GraphQL documents. */
  readonly documents: {
    readonly orderById?: string;
    readonly orderByRef?: string;
    readonly ordersByRefs?: string;
    readonly settings?: string;
  };
  /** SDL file the Fluent documents are validated against at start. Default the bundled subset (processor/fluent/reference/). */
  readonly schemaFile?: string;
}

/**
 * The credentials (credentials.ts): CT_CLIENT_ID & co. as the default, CT_PROJECTS_FILE / CT_PROJECTS per project.
 * `scope` is the OAuth scope template (`{projectKey}`, `{storeKey}` replaced), default `manage_orders:{projectKey}`.
 */
export interface CommercetoolsConfig extends CredentialSettings {
  /** Per-call timeout. Default 10 s. */
  readonly timeoutMs: number;
  /** File paths replacing the built-in GraphQL documents. */
  readonly documents: CommercetoolsDocumentOverrides;
  /**
   * SDL file every commercetools document is validated against at start. Default: the bundled official schema
   * (processor/commercetools/reference/); CT_GRAPHQL_SCHEMA_FILE points at another one.
   */
  readonly schemaFile?: string;
}

export interface OrderStatusConfig {
  readonly fluent: FluentConfig;
  readonly commercetools: CommercetoolsConfig;
  /** Setting-name infix: settings are `fc.connect.<connectorName>.…`. Default `commercetools`. */
  readonly connectorName: string;
  readonly correlation: CorrelationConfig;
  /** Orders commercetools does not have (in-store, POS, marketplace): skipped without a commercetools call. */
  readonly orderFilter?: OrderFilterConfig;
  /** How long fetched settings are used before re-fetching. Default 5 min. Stale values are served while Fluent is down. */
  readonly settingsCacheTtlMs: number;
  /** Attempts (ctx.attempt) during which a missing commercetools order is retried before it is dead-lettered. Default 3. */
  readonly orderNotFoundMaxAttempts: number;
  /** In-place retries of an update after a ConcurrentModification. Default 3. */
  readonly conflictRetries: number;
  /** In-place retries of a transient HTTP failure (429, 502–504, network, timeout). Default 2. */
  readonly httpRetries: number;
  /** Keep-alive connections per downstream origin. Default 128. */
  readonly httpConnections: number;
  /** Entries in the order-version cache (0 disables it). Default 50,000. */
  readonly versionCacheSize: number;
  /** Forward orders of the status rule (ORDER_STATE_PROGRESSIONS). Default DEFAULT_PROGRESSIONS. */
  readonly progressions?: Progressions;
  /** Coalescing of order reads across concurrent records. Default DEFAULT_BATCH_READS (on, 2 ms, 100 orders). */
  readonly batchReads?: BatchReadsConfig;
}

/** DOWNSTREAM_BATCH_*: reads of concurrently running records become one request per vendor and tenant. */
export interface BatchReadsConfig {
  /** Off = one request per order read (the coalescer is bypassed). Default true. */
  readonly enabled: boolean;
  /** How long the first read of a batch waits for others, ms. Default 2. */
  readonly windowMs: number;
  /** Orders per batched request; a full batch is sent at once. Default 100 (commercetools allows 500). */
  readonly maxSize: number;
}

export const DEFAULT_BATCH_READS: BatchReadsConfig = { enabled: true, windowMs: 2, maxSize: 100 };

/** The status rule's progressions (progressions.ts syntax); unset → the defaults. */
const progressions = () =>
  text().transform((source, ctx): Progressions => {
    if (source === undefined) return DEFAULT_PROGRESSIONS;
    const parsed = parseProgressions(source);
    if ('progressions' in parsed) return parsed.progressions;
    for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

/** An optional regular expression, compiled at start; the problem is named without echoing the value. */
const regex = () =>
  text().transform((source, ctx): RegExp | undefined => {
    if (source === undefined) return undefined;
    try {
      return new RegExp(source);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split(': ').pop();
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${reason})` });
      return z.NEVER;
    }
  });

/** Capture groups of a compiled pattern (an alternation with the empty string always matches and lists them all). */
export function captureGroups(pattern: RegExp): number {
  return (new RegExp(`${pattern.source}|`).exec('') ?? []).length - 1;
}

export const orderStatusEnvSchema = z
  .object({
    ...fluentAccountEnvSchema.shape,
    FLUENT_GRAPHQL_ORDER_BY_ID_DOCUMENT: text(),
    FLUENT_GRAPHQL_ORDER_BY_REF_DOCUMENT: text(),
    FLUENT_GRAPHQL_ORDERS_BY_REFS_DOCUMENT: text(),
    FLUENT_GRAPHQL_SCHEMA_FILE: text(),
    FLUENT_GRAPHQL_SETTINGS_DOCUMENT: text(),
    CONNECTOR_NAME: text('commercetools').pipe(
      z.string().regex(/^[a-zA-Z0-9_-]+$/, 'CONNECTOR_NAME uses letters, digits, "_" and "-"'),
    ),
    // Required unless CT_PROJECTS(_FILE) covers them: checked together below (credentialProblems).
    CT_AUTH_URL: url(),
    CT_API_URL: url(),
    CT_CLIENT_ID: text(),
    CT_CLIENT_SECRET: text(),
    CT_PROJECT_KEY: text(),
    CT_STORE_KEY: text(),
    CT_SCOPE: text('manage_orders:{projectKey}'),
    CT_PROJECTS_FILE: text().transform((path) => (path === undefined ? undefined : readProjectsFile(path))),
    CT_PROJECTS: text().transform((json) => (json === undefined ? undefined : parseProjects(json))),
    CT_HTTP_TIMEOUT: duration({ default: '10s', min: 1 }),
    CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: text(),
    CT_GRAPHQL_ORDER_BY_NUMBER_DOCUMENT: text(),
    CT_GRAPHQL_ORDER_BY_ID_DOCUMENT: text(),
    CT_GRAPHQL_UPDATE_ORDER_IN_STORE_DOCUMENT: text(),
    CT_GRAPHQL_ORDER_BY_NUMBER_IN_STORE_DOCUMENT: text(),
    CT_GRAPHQL_ORDER_BY_ID_IN_STORE_DOCUMENT: text(),
    CT_GRAPHQL_ORDERS_WHERE_DOCUMENT: text(),
    CT_GRAPHQL_ORDERS_WHERE_IN_STORE_DOCUMENT: text(),
    CT_GRAPHQL_SCHEMA_FILE: text(),
    ORDER_CORRELATION: oneOf(CORRELATION_STRATEGIES, 'orderNumber'),
    ORDER_CORRELATION_PREFIX: list(),
    ORDER_CORRELATION_PATTERN: regex(),
    ORDER_CORRELATION_TARGET: text().pipe(z.enum(CORRELATION_TARGETS).optional()),
    ORDER_CORRELATION_ATTRIBUTE: text(),
    ORDER_TYPES: list(),
    ORDER_REF_PATTERN: regex(),
    SETTINGS_CACHE_TTL: duration({ default: '5m' }),
    ORDER_NOT_FOUND_MAX_ATTEMPTS: int({ default: 3, min: 1, max: 100 }),
    CT_CONFLICT_RETRIES: int({ default: 3, min: 0, max: 20 }),
    HTTP_RETRIES: int({ default: 2, min: 0, max: 5 }),
    HTTP_CONNECTIONS: int({ default: 128, min: 1, max: 4096 }),
    ORDER_VERSION_CACHE_SIZE: int({ default: 50_000, min: 0, max: 10_000_000 }),
    DOWNSTREAM_BATCH_READS: bool(DEFAULT_BATCH_READS.enabled),
    DOWNSTREAM_BATCH_WINDOW_MS: int({ default: DEFAULT_BATCH_READS.windowMs, min: 0, max: 1_000 }),
    // commercetools answers at most 500 results per query.
    DOWNSTREAM_BATCH_MAX_SIZE: int({ default: DEFAULT_BATCH_READS.maxSize, min: 1, max: 500 }),
    ORDER_STATE_PROGRESSIONS: progressions(),
  })
  .superRefine((env, ctx) => {
    for (const [variable, message] of correlationProblems(env)) {
      ctx.addIssue({ code: 'custom', path: [variable], message });
    }
  })
  .superRefine(
    (env, ctx) => {
      for (const [variable, message] of ctCredentialProblems(env)) {
        ctx.addIssue({ code: 'custom', path: [variable], message });
      }
    },
    // Reported with every other problem at once (a missing CT_CLIENT_ID beside a missing FLUENT_PASSWORD), as long as
    // the credential variables themselves parsed.
    { when: ({ issues }) => issues.every((issue) => !CREDENTIAL_VARIABLES.has(String(issue.path?.[0]))) },
  );

const CREDENTIAL_VARIABLES: ReadonlySet<string> = new Set([
  'CT_AUTH_URL',
  'CT_API_URL',
  'CT_CLIENT_ID',
  'CT_CLIENT_SECRET',
  'CT_PROJECT_KEY',
  'CT_STORE_KEY',
  'CT_SCOPE',
  'CT_PROJECTS_FILE',
  'CT_PROJECTS',
]);

type CredentialsEnv = {
  CT_AUTH_URL?: string;
  CT_API_URL?: string;
  CT_CLIENT_ID?: string;
  CT_CLIENT_SECRET?: string;
  CT_PROJECT_KEY?: string;
  CT_STORE_KEY?: string;
  CT_SCOPE: string;
  CT_PROJECTS_FILE?: ParsedProjects;
  CT_PROJECTS?: ParsedProjects;
};

/** The credential variables as settings, with the projects set from whichever of the two variables is set. */
function credentialSettings(env: CredentialsEnv): CredentialSettings {
  const [projectsSource, parsed] = env.CT_PROJECTS
    ? (['CT_PROJECTS', env.CT_PROJECTS] as const)
    : (['CT_PROJECTS_FILE', env.CT_PROJECTS_FILE] as const);
  return {
    authUrl: env.CT_AUTH_URL,
    apiUrl: env.CT_API_URL,
    clientId: env.CT_CLIENT_ID,
    clientSecret: env.CT_CLIENT_SECRET,
    projectKey: env.CT_PROJECT_KEY,
    storeKey: env.CT_STORE_KEY,
    scope: env.CT_SCOPE,
    projects: parsed && 'projects' in parsed ? parsed.projects : undefined,
    projectsSource,
  };
}

/** The credential variables that are invalid or do not fit together, as [variable, message] pairs. */
function ctCredentialProblems(env: CredentialsEnv): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (env.CT_PROJECTS_FILE && env.CT_PROJECTS) {
    problems.push(['CT_PROJECTS', 'set CT_PROJECTS_FILE or CT_PROJECTS, not both']);
  }
  for (const variable of ['CT_PROJECTS_FILE', 'CT_PROJECTS'] as const) {
    const parsed = env[variable];
    if (parsed && 'problems' in parsed) {
      for (const problem of parsed.problems) problems.push([variable, problem]);
    }
  }
  // A broken projects set already says what is wrong; what it would have supplied is not reported missing as well.
  if (problems.length > 0) return problems;
  return credentialProblems(credentialSettings(env));
}

type CorrelationEnv = {
  ORDER_CORRELATION: CorrelationStrategy;
  ORDER_CORRELATION_PREFIX: string[];
  ORDER_CORRELATION_PATTERN?: RegExp;
  ORDER_CORRELATION_TARGET?: CorrelationTarget;
  ORDER_CORRELATION_ATTRIBUTE?: string;
};

/** The correlation variables that do not fit together, as [variable, message] pairs. */
function correlationProblems(env: CorrelationEnv): Array<[string, string]> {
  const strategy = env.ORDER_CORRELATION;
  const problems: Array<[string, string]> = [];
  const hasPrefix = env.ORDER_CORRELATION_PREFIX.length > 0;
  if (strategy === 'strip-prefix' && hasPrefix === Boolean(env.ORDER_CORRELATION_PATTERN)) {
    problems.push([
      'ORDER_CORRELATION_PREFIX',
      'ORDER_CORRELATION=strip-prefix needs exactly one of ORDER_CORRELATION_PREFIX and ORDER_CORRELATION_PATTERN',
    ]);
  }
  if (env.ORDER_CORRELATION_PATTERN && strategy !== 'strip-prefix') {
    problems.push(['ORDER_CORRELATION_PATTERN', 'applies only to ORDER_CORRELATION=strip-prefix']);
  }
  if (env.ORDER_CORRELATION_PATTERN && captureGroups(env.ORDER_CORRELATION_PATTERN) !== 1) {
    problems.push(['ORDER_CORRELATION_PATTERN', 'must have exactly one capture group (the commercetools value)']);
  }
  if (env.ORDER_CORRELATION_TARGET && (strategy === 'orderNumber' || strategy === 'id')) {
    problems.push([
      'ORDER_CORRELATION_TARGET',
      'applies only to ORDER_CORRELATION=strip-prefix or attribute (ORDER_CORRELATION=id already looks up by id)',
    ]);
  }
  if (strategy === 'attribute' && !env.ORDER_CORRELATION_ATTRIBUTE) {
    problems.push([
      'ORDER_CORRELATION_ATTRIBUTE',
      'ORDER_CORRELATION_ATTRIBUTE is required when ORDER_CORRELATION=attribute',
    ]);
  }
  return problems;
}

/** Parses the environment; throws ConfigError (common/errors.ts) listing every offending variable. */
export function parseOrderStatusEnv(env: NodeJS.ProcessEnv): OrderStatusConfig {
  const e = parseEnv(orderStatusEnvSchema, env);
  return Object.freeze({
    fluent: {
      ...fluentAccountFrom(e),
      documents: {
        orderById: e.FLUENT_GRAPHQL_ORDER_BY_ID_DOCUMENT,
        orderByRef: e.FLUENT_GRAPHQL_ORDER_BY_REF_DOCUMENT,
        ordersByRefs: e.FLUENT_GRAPHQL_ORDERS_BY_REFS_DOCUMENT,
        settings: e.FLUENT_GRAPHQL_SETTINGS_DOCUMENT,
      },
      schemaFile: e.FLUENT_GRAPHQL_SCHEMA_FILE,
    },
    commercetools: {
      ...credentialSettings(e),
      timeoutMs: e.CT_HTTP_TIMEOUT,
      documents: {
        updateOrder: e.CT_GRAPHQL_UPDATE_ORDER_DOCUMENT,
        orderByNumber: e.CT_GRAPHQL_ORDER_BY_NUMBER_DOCUMENT,
        orderById: e.CT_GRAPHQL_ORDER_BY_ID_DOCUMENT,
        updateOrderInStore: e.CT_GRAPHQL_UPDATE_ORDER_IN_STORE_DOCUMENT,
        orderByNumberInStore: e.CT_GRAPHQL_ORDER_BY_NUMBER_IN_STORE_DOCUMENT,
        orderByIdInStore: e.CT_GRAPHQL_ORDER_BY_ID_IN_STORE_DOCUMENT,
        ordersWhere: e.CT_GRAPHQL_ORDERS_WHERE_DOCUMENT,
        ordersWhereInStore: e.CT_GRAPHQL_ORDERS_WHERE_IN_STORE_DOCUMENT,
      },
      // Every commercetools document is validated at start; the official schema ships with the connector.
      schemaFile: e.CT_GRAPHQL_SCHEMA_FILE ?? BUNDLED_CT_SCHEMA_PATH,
    },
    connectorName: e.CONNECTOR_NAME,
    correlation: {
      strategy: e.ORDER_CORRELATION,
      prefixes: e.ORDER_CORRELATION_PREFIX.length > 0 ? e.ORDER_CORRELATION_PREFIX : undefined,
      pattern: e.ORDER_CORRELATION_PATTERN,
      target: e.ORDER_CORRELATION_TARGET,
      attribute: e.ORDER_CORRELATION_ATTRIBUTE,
    },
    orderFilter: {
      types: e.ORDER_TYPES.map((type) => type.toUpperCase()),
      refPattern: e.ORDER_REF_PATTERN,
    },
    settingsCacheTtlMs: e.SETTINGS_CACHE_TTL,
    orderNotFoundMaxAttempts: e.ORDER_NOT_FOUND_MAX_ATTEMPTS,
    conflictRetries: e.CT_CONFLICT_RETRIES,
    httpRetries: e.HTTP_RETRIES,
    httpConnections: e.HTTP_CONNECTIONS,
    versionCacheSize: e.ORDER_VERSION_CACHE_SIZE,
    batchReads: {
      enabled: e.DOWNSTREAM_BATCH_READS,
      windowMs: e.DOWNSTREAM_BATCH_WINDOW_MS,
      maxSize: e.DOWNSTREAM_BATCH_MAX_SIZE,
    },
    progressions: e.ORDER_STATE_PROGRESSIONS,
  });
}

/** Non-secret summary for the start-up log line (client ids, scopes and URLs; never a secret). */
export function describeOrderStatusConfig(config: OrderStatusConfig): Record<string, unknown> {
  return {
    fluentBaseUrl: config.fluent.baseUrl,
    commercetools: new CommercetoolsTenancy(config.commercetools).describe(),
    connectorName: config.connectorName,
    correlation: { ...config.correlation, pattern: config.correlation.pattern?.source },
    orderFilter: {
      types: config.orderFilter?.types?.length ? config.orderFilter.types : 'all',
      refPattern: config.orderFilter?.refPattern?.source ?? 'any',
    },
    settingsCacheTtlMs: config.settingsCacheTtlMs,
    batchReads: config.batchReads ?? DEFAULT_BATCH_READS,
    progressions: describeProgressions(config.progressions ?? DEFAULT_PROGRESSIONS),
    documentOverrides: {
      ...Object.fromEntries(Object.entries(config.fluent.documents).filter(([, v]) => v)),
      ...Object.fromEntries(Object.entries(config.commercetools.documents).filter(([, v]) => v)),
    },
  };
}
