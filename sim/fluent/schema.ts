/**
 * Hand-written subset of Fluent Commerce's GraphQL schema: the parts the connector reads (orders by id/ref, the
 * `orders` search the reconcile command pages through, settings connection). Field names and argument types follow Fluent's public schema so documents that validate
 * here validate against Fluent.
 */
import { buildSchema, GraphQLScalarType, valueFromASTUntyped, type GraphQLSchema } from 'graphql';

export const FLUENT_SDL = /* GraphQL */ `
  "Arbitrary JSON (Fluent's Json scalar): objects, arrays, strings, numbers, booleans."
  scalar Json
  scalar DateTime

  type Query {
    orderById(id: ID!): Order
    order(ref: String!): Order
    settings(name: [String], context: [String], contextId: [Int], first: Int, after: String): SettingConnection
    "Search: inclusive DateRange bounds, 10 results without first/last, first at most 5000."
    orders(
      ref: [String]
      type: [String]
      status: [String]
      createdOn: DateRange
      updatedOn: DateRange
      first: Int
      after: String
      last: Int
      before: String
    ): OrderConnection
  }

  "Both bounds inclusive, UTC."
  input DateRange {
    from: DateTime
    to: DateTime
  }

  type OrderConnection {
    edges: [OrderEdge]
    pageInfo: PageInfo
  }

  "No end cursor on the page: the next page starts after the last edge's cursor."
  type OrderEdge {
    cursor: String
    node: Order
  }

  type Order {
    id: ID!
    ref: String
    type: String
    status: String
    createdOn: DateTime
    updatedOn: DateTime
    retailer: Retailer
    attributes: [Attribute]
  }

  type Retailer {
    id: ID!
    ref: String
  }

  type Attribute {
    name: String!
    type: String!
    value: Json!
  }

  type SettingConnection {
    edges: [SettingEdge]
    pageInfo: PageInfo
  }

  type SettingEdge {
    cursor: String
    node: Setting
  }

  type PageInfo {
    hasNextPage: Boolean
    hasPreviousPage: Boolean
  }

  type Setting {
    id: ID!
    ref: String
    name: String
    valueType: String
    value: String
    lobValue: Json
    context: String
    contextId: Int
    createdOn: DateTime
    updatedOn: DateTime
  }
`;

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
