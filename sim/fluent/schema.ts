/**
 * The simulator's schema: the connector's hand-written subset of Fluent Commerce's GraphQL schema
 * (processor/fluent/reference/fluent-subset.graphql, which the processor validates its documents against), with the
 * Json scalar passing values through.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, GraphQLScalarType, valueFromASTUntyped, type GraphQLSchema } from 'graphql';
import { BUNDLED_FLUENT_SCHEMA_PATH } from '../../processor/fluent/schema-file.js';

export const FLUENT_SDL: string = readFileSync(BUNDLED_FLUENT_SCHEMA_PATH, 'utf8');

let cached: GraphQLSchema | undefined;

export function fluentSchema(): GraphQLSchema {
  if (cached) return cached;
  const schema = buildSchema(FLUENT_SDL);
  const json = schema.getType('Json');
  if (json instanceof GraphQLScalarType) {
    json.serialize = (v) => v;
    json.parseValue = (v) => v;
    json.parseLiteral = (ast, variables) => valueFromASTUntyped(ast, variables);
  }
  cached = schema;
  return schema;
}
