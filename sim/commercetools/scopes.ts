/**
 * OAuth scopes as the simulator grants and enforces them, project-wide (`manage_orders:{projectKey}`) and store-scoped
 * (`manage_orders:{projectKey}:{storeKey}`, `view_orders:{projectKey}:{storeKey}`), like commercetools' store-scoped
 * API clients: such a token may use only `inStore(key: <its store>)` / `inStores(keys: [...])` and
 * `updateOrder(storeKey: <its store>, ...)`; any other root field, or another store's key, is `insufficient_scope`.
 * The check reads the parsed operation (root fields, fragments at the root included) and the request's variables.
 */
import {
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** What an API client may be granted; undefined lists mean "any". */
export interface ScopeGrant {
  readonly projectKeys?: readonly string[];
  /** Set: a store-scoped client, granted only `{permission}:{projectKey}:{storeKey}` for these stores. */
  readonly storeKeys?: readonly string[];
}

interface Scope {
  readonly permission: string;
  readonly projectKey: string;
  readonly storeKey: string | undefined;
}

const SCOPE_RE = /^([a-z_]+):([A-Za-z0-9_-]+)(?::([A-Za-z0-9_-]+))?$/;

function parseScope(scope: string): Scope | undefined {
  const m = SCOPE_RE.exec(scope);
  return m ? { permission: m[1]!, projectKey: m[2]!, storeKey: m[3] } : undefined;
}

/** Whether the token endpoint may grant `scope` to a client (else `invalid_scope`). */
export function scopeAllowed(scope: string, grant: ScopeGrant): boolean {
  const parsed = parseScope(scope);
  if (!parsed) return false;
  if (grant.projectKeys !== undefined && !grant.projectKeys.includes(parsed.projectKey)) return false;
  if (grant.storeKeys === undefined) return true;
  return parsed.storeKey !== undefined && grant.storeKeys.includes(parsed.storeKey);
}

/** Scopes granted when a token request names none: the client's whole grant. */
export function defaultScopes(grant: ScopeGrant, defaultProjectKey: string): string[] {
  const projects = grant.projectKeys ?? [defaultProjectKey];
  if (grant.storeKeys === undefined) return projects.map((pk) => `manage_project:${pk}`);
  const stores = grant.storeKeys;
  return projects.flatMap((pk) => stores.map((store) => `manage_orders:${pk}:${store}`));
}

const PROJECT_READ = ['manage_orders', 'view_orders', 'manage_project'];
const PROJECT_WRITE = ['manage_orders', 'manage_project'];
const STORE_READ = ['manage_orders', 'view_orders'];
const STORE_WRITE = ['manage_orders'];

/** `allowed`, or the first requirement the token does not meet: the scopes any one of which would meet it. */
export type Access = { readonly allowed: true } | { readonly allowed: false; readonly missing: readonly string[] };

export interface OperationRequest {
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly variables: Record<string, unknown> | undefined;
}

/**
 * Whether a token holding `scopes` may run the request's operation on `projectKey`. A project-wide manage scope
 * allows everything without looking at the operation (the common case stays cheap).
 */
export function operationAccess(scopes: readonly string[], projectKey: string, request: OperationRequest): Access {
  const held = scopes.map(parseScope).filter((s): s is Scope => s !== undefined && s.projectKey === projectKey);
  const projectHas = (permissions: string[]) =>
    held.some((s) => s.storeKey === undefined && permissions.includes(s.permission));
  const storeHas = (permissions: string[], storeKey: string) =>
    held.some((s) => s.storeKey === storeKey && permissions.includes(s.permission));
  const missing = (permissions: string[], storeKey?: string): Access => ({
    allowed: false,
    missing: permissions.map((p) => (storeKey === undefined ? `${p}:${projectKey}` : `${p}:${projectKey}:${storeKey}`)),
  });
  if (projectHas(PROJECT_WRITE)) return { allowed: true };

  const operation = findOperation(request.document, request.operationName);
  if (!operation) return { allowed: true }; // no such operation: execution answers it, nothing is read
  const write = operation.operation === OperationTypeNode.MUTATION;
  const projectPermissions = write ? PROJECT_WRITE : PROJECT_READ;
  const storePermissions = write ? STORE_WRITE : STORE_READ;
  if (held.length === 0) return missing(projectPermissions);
  for (const field of rootFields(operation.selectionSet, request.document)) {
    if (field.name.value === '__typename' || projectHas(projectPermissions)) continue;
    const storeKeys = storeKeysOf(field, write, (name) => argumentValue(field, name, operation, request.variables));
    if (storeKeys === undefined) return missing(projectPermissions);
    for (const key of storeKeys) {
      // A key that does not resolve to a string (a missing variable) is no store the token was granted.
      if (typeof key !== 'string') return missing(storePermissions, '?');
      if (!storeHas(storePermissions, key)) return missing(storePermissions, key);
    }
  }
  return { allowed: true };
}

/** The stores a root field works in (`inStore`, `inStores`, `updateOrder(storeKey)`), or undefined: project-wide. */
function storeKeysOf(field: FieldNode, write: boolean, argument: (name: string) => unknown): unknown[] | undefined {
  const name = field.name.value;
  if (!write && name === 'inStore') return [argument('key')];
  if (!write && name === 'inStores') {
    const keys = argument('keys');
    return Array.isArray(keys) ? (keys as unknown[]) : [keys];
  }
  if (write && name === 'updateOrder') {
    const storeKey = argument('storeKey');
    return storeKey == null ? undefined : [storeKey];
  }
  return undefined;
}

function findOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The operation's root fields, through fragment spreads and inline fragments at the root. */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(fragment.selectionSet, document, seen) : [];
  });
}

/** An argument's value: its literal, or its variable's value from the request (else the variable's default). */
function argumentValue(
  field: FieldNode,
  name: string,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): unknown {
  const node = field.arguments?.find((a) => a.name.value === name)?.value;
  return node === undefined ? undefined : resolveValue(node, operation, variables);
}

function resolveValue(
  node: ValueNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): unknown {
  if (node.kind === Kind.LIST) return node.values.map((v) => resolveValue(v, operation, variables));
  if (node.kind !== Kind.VARIABLE) return valueFromASTUntyped(node);
  const name = node.name.value;
  if (variables && Object.hasOwn(variables, name)) return variables[name];
  const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
  return fallback === undefined ? undefined : valueFromASTUntyped(fallback);
}
