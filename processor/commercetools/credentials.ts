/**
 * commercetools credentials per project (docs/configuration.md, "commercetools credentials per project"). An API
 * client belongs to one project, so a connector writing to several projects needs one credentials set per project
 * key: CT_PROJECTS_FILE (a JSON file, e.g. mounted from a Secret) or CT_PROJECTS (the same JSON in one variable),
 * with the single-project variables (CT_CLIENT_ID, …) as the default. This module parses that set at start and
 * resolves, per record, the target an order lives in: project, optional store (orders reached through
 * `inStore(key:)`), and the credentials that reach it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigurationError } from '../errors.js';

/** One API client as configured (after defaults). */
export interface ProjectCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scope template: `{projectKey}` and `{storeKey}` are replaced; several scopes are separated by spaces. */
  readonly scope: string;
  readonly authUrl: string;
  readonly apiUrl: string;
  /** The store whose orders this client reaches (store-scoped API client); the account mapping may name another. */
  readonly storeKey?: string;
  /** Where the credentials were configured, for messages (never the secret): `CT_CLIENT_ID` or `CT_PROJECTS "p"`. */
  readonly source: string;
}

/** Where one record's commercetools order lives and the credentials that reach it. */
export interface CtTarget {
  readonly projectKey: string;
  /** Set: reads and writes go through `inStore(key:)` / `updateOrder(storeKey:)`. */
  readonly storeKey?: string;
  readonly credentials: ProjectCredentials;
}

/** A CT_PROJECTS entry as written (before defaults). */
export interface ProjectEntry {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  readonly authUrl?: string;
  readonly apiUrl?: string;
  readonly storeKey?: string;
}

/** The commercetools credential settings of the handler's configuration (config.ts, CommercetoolsConfig). */
export interface CredentialSettings {
  /** CT_AUTH_URL / CT_API_URL: the default credentials' URLs, and the default of every entry without its own. */
  readonly authUrl?: string;
  readonly apiUrl?: string;
  /** CT_CLIENT_ID / CT_CLIENT_SECRET: the default credentials (absent when only a projects set is configured). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** CT_PROJECT_KEY: the project used when no account mapping applies. */
  readonly projectKey?: string;
  /** CT_SCOPE: the default credentials' scope template and the default of every entry without its own. */
  readonly scope: string;
  /** CT_STORE_KEY: the store of CT_PROJECT_KEY's orders reached with the default credentials. */
  readonly storeKey?: string;
  /** CT_PROJECTS_FILE / CT_PROJECTS, by project key. */
  readonly projects?: Readonly<Record<string, ProjectEntry>>;
  /** Which variable the projects came from, for messages. Default `CT_PROJECTS_FILE`. */
  readonly projectsSource?: string;
}

/** commercetools keys (project, store): letters, digits, `_` and `-` — they go into URL paths and scopes. */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const KEY_RULE = 'uses letters, digits, "_" and "-"';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));
const nonEmpty = (field: string) =>
  z
    .string({ error: `${field} is required (a non-empty string)` })
    .trim()
    .min(1, `${field} must not be empty`);

const entrySchema = z.strictObject(
  {
    clientId: nonEmpty('clientId'),
    clientSecret: nonEmpty('clientSecret'),
    scope: nonEmpty('scope').optional(),
    authUrl: httpUrl.optional(),
    apiUrl: httpUrl.optional(),
    storeKey: z.string().trim().regex(KEY_PATTERN, 'storeKey uses letters, digits, "_" and "-"').optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object' : undefined) },
);

const projectsSchema = z.record(z.string().regex(KEY_PATTERN), entrySchema, {
  error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object keyed by project key' : undefined),
});

export type ParsedProjects =
  { readonly projects: Readonly<Record<string, ProjectEntry>> } | { readonly problems: readonly string[] };

/**
 * Parses the projects JSON of `variable` (CT_PROJECTS_FILE's contents or CT_PROJECTS). Problems name the project key
 * and the field, never a value (a secret pasted into the wrong place must not reach a log).
 */
export function parseProjects(json: string): ParsedProjects {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    // V8's message quotes the text around the error: only the position is kept.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    return { problems: [`is not valid JSON${position ? ` (at character ${position})` : ''}`] };
  }
  const result = projectsSchema.safeParse(raw);
  if (result.success) {
    if (Object.keys(result.data).length === 0) return { problems: ['names no project'] };
    return { projects: result.data };
  }
  return {
    problems: result.error.issues.map((issue) => {
      const [projectKey, field] = issue.path;
      if (projectKey === undefined) return issue.message;
      if (issue.code === 'unrecognized_keys') {
        return `project "${String(projectKey)}": unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')} (expected clientId, clientSecret, scope, authUrl, apiUrl, storeKey)`;
      }
      if (issue.code === 'invalid_key') return `project key "${String(projectKey)}": ${KEY_RULE}`;
      return `project "${String(projectKey)}"${field === undefined ? '' : `: ${String(field)}`}: ${issue.message}`;
    }),
  };
}

/** Reads CT_PROJECTS_FILE; a problem names the path, not the contents. */
export function readProjectsFile(path: string): ParsedProjects {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problems: [`cannot read ${path}${code ? ` (${code})` : ''}`] };
  }
  return parseProjects(text);
}

/**
 * Problems of a credential settings whole, as [variable, message] pairs, checked at start (config.ts): which
 * credentials are missing for the default project, and which URLs are needed but not set.
 */
export function credentialProblems(settings: CredentialSettings): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const projects = settings.projects ?? {};
  const source = settings.projectsSource ?? 'CT_PROJECTS_FILE';
  const hasProjects = Object.keys(projects).length > 0;
  // Without a projects set the single-project variables are the credentials: each is required, as always.
  const hasDefault = !hasProjects || settings.clientId !== undefined || settings.clientSecret !== undefined;
  const orProjects = hasProjects ? '' : ' (or configure credentials per project in CT_PROJECTS_FILE)';
  if (hasDefault && settings.clientId === undefined) problems.push(['CT_CLIENT_ID', `is required${orProjects}`]);
  if (hasDefault && settings.clientSecret === undefined) {
    problems.push(['CT_CLIENT_SECRET', `is required with CT_CLIENT_ID${orProjects}`]);
  }
  if (hasDefault && settings.projectKey === undefined) {
    problems.push([
      'CT_PROJECT_KEY',
      `is required with CT_CLIENT_ID (the project those credentials are for)${orProjects}`,
    ]);
  }
  if (settings.projectKey !== undefined && !KEY_PATTERN.test(settings.projectKey)) {
    problems.push(['CT_PROJECT_KEY', 'uses letters, digits, "_" and "-"']);
  }
  if (settings.projectKey !== undefined && !hasDefault && hasProjects && !(settings.projectKey in projects)) {
    problems.push([
      'CT_PROJECT_KEY',
      `project "${settings.projectKey}" has no credentials: add it to ${source} or set CT_CLIENT_ID and CT_CLIENT_SECRET`,
    ]);
  }
  if (settings.storeKey !== undefined && !KEY_PATTERN.test(settings.storeKey)) {
    problems.push(['CT_STORE_KEY', 'uses letters, digits, "_" and "-"']);
  }
  if (settings.storeKey !== undefined && !hasDefault) {
    problems.push([
      'CT_STORE_KEY',
      `applies to the CT_CLIENT_ID credentials; set "storeKey" in the ${source} entry instead`,
    ]);
  }
  const needsDefault = (field: 'authUrl' | 'apiUrl') =>
    hasDefault || Object.values(projects).some((entry) => entry[field] === undefined);
  if (settings.authUrl === undefined && needsDefault('authUrl')) {
    problems.push([
      'CT_AUTH_URL',
      `is required${hasProjects ? ` (unless every ${source} entry has its own authUrl)` : ''}`,
    ]);
  }
  if (settings.apiUrl === undefined && needsDefault('apiUrl')) {
    problems.push([
      'CT_API_URL',
      `is required${hasProjects ? ` (unless every ${source} entry has its own apiUrl)` : ''}`,
    ]);
  }
  return problems;
}

/**
 * The configured credentials, resolved per project. Built once at start from validated settings (config.ts);
 * `target` is called per record.
 */
export class CommercetoolsTenancy {
  private readonly projects: ReadonlyMap<string, ProjectCredentials>;
  /** The CT_CLIENT_ID credentials without a store: what a project without an entry is tried with. */
  private readonly fallback?: ProjectCredentials;
  /** The CT_CLIENT_ID credentials for CT_PROJECT_KEY (with CT_STORE_KEY). */
  private readonly defaultCredentials?: ProjectCredentials;
  private readonly projectsSource: string;
  /** CT_PROJECT_KEY: a token rejection there is an outage; elsewhere, the configuration of that project's retailers. */
  readonly defaultProjectKey?: string;

  constructor(settings: CredentialSettings) {
    this.defaultProjectKey = settings.projectKey;
    this.projectsSource = settings.projectsSource ?? 'CT_PROJECTS_FILE';
    const projects = new Map<string, ProjectCredentials>();
    for (const [projectKey, entry] of Object.entries(settings.projects ?? {})) {
      projects.set(projectKey, {
        clientId: entry.clientId,
        clientSecret: entry.clientSecret,
        scope: entry.scope ?? settings.scope,
        authUrl: required(entry.authUrl ?? settings.authUrl, 'authUrl', projectKey),
        apiUrl: required(entry.apiUrl ?? settings.apiUrl, 'apiUrl', projectKey),
        storeKey: entry.storeKey,
        source: `${this.projectsSource} "${projectKey}"`,
      });
    }
    this.projects = projects;
    if (settings.clientId !== undefined && settings.clientSecret !== undefined) {
      this.fallback = {
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        scope: settings.scope,
        authUrl: required(settings.authUrl, 'authUrl', 'CT_AUTH_URL'),
        apiUrl: required(settings.apiUrl, 'apiUrl', 'CT_API_URL'),
        source: 'CT_CLIENT_ID',
      };
      this.defaultCredentials = settings.storeKey ? { ...this.fallback, storeKey: settings.storeKey } : this.fallback;
    }
  }

  /** The project keys with credentials of their own. */
  get projectKeys(): readonly string[] {
    return [...this.projects.keys()];
  }

  /**
   * Where a record's order is: `projectKey` from the account mapping (or CT_PROJECT_KEY) with the mapping's store key,
   * which wins over the credentials' own. A project without an entry is tried with the CT_CLIENT_ID credentials (a
   * foreign project then fails its token request with invalid_scope, a ConfigurationError); with no such default, it
   * is that retailer's configuration error at once (dead-lettered, no outage).
   */
  target(projectKey: string, storeKey?: string): CtTarget {
    const credentials =
      this.projects.get(projectKey) ??
      (projectKey === this.defaultProjectKey ? this.defaultCredentials : this.fallback);
    if (!credentials) {
      throw new ConfigurationError(
        `no commercetools credentials for project "${projectKey}" (add it to ${this.projectsSource}, or fix the account mapping)`,
        { details: { projectKey } },
      );
    }
    const store = storeKey ?? credentials.storeKey;
    if (store === undefined && credentials.scope.includes('{storeKey}')) {
      throw new ConfigurationError(
        `commercetools credentials ${credentials.source} request a store scope ({storeKey}) for project "${projectKey}", but no store key is set (set "storeKey" there or externalAccount.storeKey in the account mapping)`,
        { details: { projectKey } },
      );
    }
    return store === undefined ? { projectKey, credentials } : { projectKey, storeKey: store, credentials };
  }

  /** Non-secret summary for the start-up log: per project its client id, scope, URLs and store. */
  describe(): Record<string, unknown> {
    const summary = (c: ProjectCredentials) => ({
      clientId: c.clientId,
      scope: c.scope,
      authUrl: c.authUrl,
      apiUrl: c.apiUrl,
      ...(c.storeKey ? { storeKey: c.storeKey } : {}),
    });
    return {
      defaultProjectKey: this.defaultProjectKey ?? null,
      defaultCredentials: this.defaultCredentials ? summary(this.defaultCredentials) : null,
      projects: Object.fromEntries([...this.projects].map(([key, c]) => [key, summary(c)])),
    };
  }
}

function required(value: string | undefined, field: string, where: string): string {
  // credentialProblems rejects these at start; reaching here means settings built in code skipped that check.
  if (value === undefined) throw new ConfigurationError(`commercetools credentials (${where}): ${field} is not set`);
  return value;
}

/** The scopes `target`'s credentials request: the template with its project and store filled in. */
export function scopesFor(target: CtTarget): string[] {
  return target.credentials.scope
    .replaceAll('{projectKey}', target.projectKey)
    .replaceAll('{storeKey}', target.storeKey ?? '')
    .split(/\s+/)
    .filter(Boolean);
}

/**
 * The tenant a target belongs to: records with the same key are read and written by the same API client in the same
 * project and store, so their reads can be batched into one request.
 */
export function tenantKeyOf(target: CtTarget): string {
  return JSON.stringify([target.projectKey, target.storeKey ?? null, target.credentials.clientId]);
}

/** Which SDK client (and token cache) serves a target: one per project, API client and requested scopes. */
export function sdkClientKeyOf(target: CtTarget): string {
  const { clientId, authUrl, apiUrl } = target.credentials;
  return JSON.stringify([target.projectKey, clientId, authUrl, apiUrl, scopesFor(target).join(' ')]);
}

/** How messages name a target: `project p` or `project p, store s`. */
export function describeTarget(target: { projectKey: string; storeKey?: string }): string {
  return target.storeKey ? `project ${target.projectKey}, store ${target.storeKey}` : `project ${target.projectKey}`;
}
