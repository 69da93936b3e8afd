/**
 * The official commercetools GraphQL schema (the copy bundled with the connector, checked byte-identical to the
 * published reference by test/unit/processor/commercetools/bundled-schema.test.ts), built once per process. `Long`
 * gets real integer checks so a connector sending `version: "3"` fails as it would against commercetools instead of
 * passing through an identity scalar.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, GraphQLScalarType, Kind, type GraphQLSchema } from 'graphql';
import { BUNDLED_CT_SCHEMA_PATH } from '../../processor/commercetools/schema-file.js';

export const DEFAULT_CT_SCHEMA_PATH = BUNDLED_CT_SCHEMA_PATH;

const cache = new Map<string, GraphQLSchema>();

export function loadCommercetoolsSchema(path = DEFAULT_CT_SCHEMA_PATH): GraphQLSchema {
  const hit = cache.get(path);
  if (hit) return hit;
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`commercetools simulator: cannot read the GraphQL schema at ${path} ` + `: ${String(err)}`, {
      cause: err,
    });
  }
  const schema = buildSchema(sdl);
  hardenLong(schema);
  cache.set(path, schema);
  return schema;
}

function hardenLong(schema: GraphQLSchema): void {
  const long = schema.getType('Long');
  if (!(long instanceof GraphQLScalarType)) return;
  const check = (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new TypeError(`Long cannot represent a non-integer value: ${JSON.stringify(value)}`);
    }
    return value;
  };
  long.serialize = check;
  long.parseValue = check;
  long.parseLiteral = (ast) => {
    if (ast.kind !== Kind.INT) throw new TypeError(`Long cannot represent a non-integer value`);
    return check(Number(ast.value));
  };
}
