/**
 * GraphQL documents kept in .graphql files that a deployment can replace by file path (docs/architecture.md,
 * "The job" and "commercetools"). Every document is checked when the handler is created — it parses, holds exactly one operation of the expected type, and
 * declares the variables the connector sends — and optionally validated against a GraphQL schema, so a broken
 * override fails the start with a ConfigError naming its variable instead of dead-lettering every message.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ConfigError } from '../../common/index.js';

export interface DocumentSpec {
  /** Short name for messages, e.g. `commercetools updateOrder`. */
  readonly name: string;
  /** The built-in document's file. */
  readonly defaultFile: URL;
  /** Replacement file path, if configured. */
  readonly overridePath?: string;
  /** The environment variable that configures the override (named in errors). */
  readonly envVar: string;
  readonly operation: 'query' | 'mutation';
  readonly requiredVariables: readonly string[];
  /** Exactly one of these must be declared too (e.g. the order's `id` or its `orderNumber`). */
  readonly oneOfVariables?: readonly string[];
}

export interface LoadedDocument {
  readonly name: string;
  readonly text: string;
  readonly document: DocumentNode;
  /** Where it came from (file path), for the start-up log. */
  readonly source: string;
  /** The variables the operation declares (without `$`): the client sends what the document asks for. */
  readonly variables: ReadonlySet<string>;
}

export function loadDocument(spec: DocumentSpec, schema?: GraphQLSchema): LoadedDocument {
  const source = spec.overridePath ?? spec.defaultFile.pathname;
  const where = spec.overridePath ? `${spec.envVar}=${spec.overridePath}` : `built-in ${source}`;
  const fail = (problem: string): never => {
    throw new ConfigError([`${spec.envVar}: ${spec.name} document (${where}) ${problem}`]);
  };
  let text = '';
  try {
    text = readFileSync(spec.overridePath ?? spec.defaultFile, 'utf8');
  } catch (error) {
    fail(`cannot be read: ${(error as Error).message}`);
  }
  let document: DocumentNode | undefined;
  try {
    document = parse(text);
  } catch (error) {
    fail(`is not valid GraphQL: ${(error as Error).message}`);
  }
  const operations = document!.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) fail(`must contain exactly one operation, found ${operations.length}`);
  const op = operations[0]!;
  const operation: string = op.operation;
  if (operation !== spec.operation) fail(`must be a ${spec.operation}, found a ${operation}`);
  const declared = new Set((op.variableDefinitions ?? []).map((v) => v.variable.name.value));
  const missing = spec.requiredVariables.filter((v) => !declared.has(v));
  if (missing.length > 0) fail(`must declare the variables ${missing.map((v) => `$${v}`).join(', ')}`);
  const oneOf = spec.oneOfVariables ?? [];
  if (oneOf.length > 0 && oneOf.filter((v) => declared.has(v)).length !== 1) {
    fail(`must declare exactly one of the variables ${oneOf.map((v) => `$${v}`).join(', ')}`);
  }
  if (schema) {
    const errors = validate(schema, document!);
    if (errors.length > 0) fail(`does not validate against the schema: ${errors.map((e) => e.message).join('; ')}`);
  }
  return { name: spec.name, text, document: document!, source, variables: declared };
}

const schemas = new Map<string, GraphQLSchema>();

/** Builds a schema from an SDL file (CT_GRAPHQL_SCHEMA_FILE), once per path and process (the SDL is large). */
export function loadSchema(path: string, envVar: string): GraphQLSchema {
  const cached = schemas.get(path);
  if (cached) return cached;
  try {
    const schema = buildSchema(readFileSync(path, 'utf8'));
    schemas.set(path, schema);
    return schema;
  } catch (error) {
    throw new ConfigError([`${envVar}: cannot build a GraphQL schema from ${path}: ${(error as Error).message}`]);
  }
}
