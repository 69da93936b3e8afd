/**
 * Parses and validates GraphQL documents once per distinct query text. Connectors send the same few documents
 * thousands of times, so per-request work is only `execute` — no parsing, no schema validation.
 */
import {
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

export interface PreparedOperation {
  readonly name: string | undefined;
  readonly type: 'query' | 'mutation' | 'subscription';
  /** Root field names (not aliases), e.g. `['updateOrder']`; fragments spread at the root are not expanded. */
  readonly rootFields: readonly string[];
}

export type PreparedDocument =
  | { ok: true; document: DocumentNode; operations: readonly PreparedOperation[] }
  | { ok: false; kind: 'syntax' | 'validation'; errors: readonly GraphQLError[] };

export class DocumentCache {
  private readonly cache = new Map<string, PreparedDocument>();

  constructor(
    private readonly schema: GraphQLSchema,
    /** Distinct documents kept; the cache is cleared when exceeded (tests never get near it). Default 1000. */
    private readonly maxEntries = 1000,
  ) {}

  get size(): number {
    return this.cache.size;
  }

  prepare(query: string): PreparedDocument {
    const hit = this.cache.get(query);
    if (hit) return hit;
    const prepared = this.compile(query);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(query, prepared);
    return prepared;
  }

  private compile(query: string): PreparedDocument {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      const error = err instanceof GraphQLError ? err : new GraphQLError(String(err));
      return { ok: false, kind: 'syntax', errors: [error] };
    }
    const errors = validate(this.schema, document);
    if (errors.length > 0) return { ok: false, kind: 'validation', errors };
    const operations = document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((op) => ({
        name: op.name?.value,
        type: op.operation,
        rootFields: op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])),
      }));
    return { ok: true, document, operations };
  }
}

/** The operation `execute` will run: the named one, or the only one. */
export function selectOperation(
  operations: readonly PreparedOperation[],
  operationName: string | undefined | null,
): PreparedOperation | undefined {
  if (operationName) return operations.find((o) => o.name === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** Body of a GraphQL-over-HTTP POST, checked just enough to hand to graphql-js. */
export interface GraphQLRequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export function parseGraphQLBody(raw: Buffer): GraphQLRequestBody | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: 'Request body does not contain valid JSON.' };
  }
  if (typeof body !== 'object' || body === null) return { error: 'Request body must be a JSON object.' };
  const { query, variables, operationName } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query.length === 0) return { error: "Missing 'query' in the request body." };
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return { error: "'variables' must be a JSON object." };
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return { error: "'operationName' must be a string." };
  }
  return {
    query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: operationName ?? undefined,
  };
}
