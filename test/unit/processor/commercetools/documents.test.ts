/**
 * Every GraphQL document the connector sends to commercetools must validate against the official schema
 * (the bundled copy).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_DOCUMENT_FILES, loadCommercetoolsDocuments } from '../../../../processor/commercetools/documents.js';
import { ConfigError } from '../../../../common/index.js';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_CT_SCHEMA_PATH } from '../../../../sim/commercetools/schema.js';

const SDL_PATH = DEFAULT_CT_SCHEMA_PATH;

let schema: GraphQLSchema;
beforeAll(() => {
  schema = buildSchema(readFileSync(SDL_PATH, 'utf8'));
});

function tempDoc(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-doc-'));
  const path = join(dir, 'doc.graphql');
  writeFileSync(path, text);
  return path;
}

describe('commercetools documents', () => {
  it.each(Object.entries(BUILT_IN_DOCUMENT_FILES))(
    'built-in %s validates against the official schema',
    (_name, file) => {
      const errors = validate(schema, parse(readFileSync(file, 'utf8')));
      expect(errors.map((e) => e.message)).toEqual([]);
    },
  );

  it('the update mutation is the contract one (operation Search, alias search, id/version/actions)', () => {
    const text = readFileSync(BUILT_IN_DOCUMENT_FILES.updateOrder, 'utf8');
    expect(text).toContain('mutation Search($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!)');
    expect(text).toContain('search: updateOrder(id: $id, version: $version, actions: $actions)');
  });

  it('the documented mutation (selecting only id) is accepted as an override and validates', () => {
    const exact =
      'mutation Search($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!) { search: updateOrder(id: $id, version: $version, actions: $actions) { id } }';
    expect(validate(schema, parse(exact))).toEqual([]);
    const docs = loadCommercetoolsDocuments({ updateOrder: tempDoc(exact) }, schema);
    expect(docs.updateOrder.text).toBe(exact);
  });

  it('an override may address the order by $orderNumber instead of $id (validated against the schema)', () => {
    const byNumber =
      'mutation ByNumber($orderNumber: String!, $version: Long!, $actions: [OrderUpdateAction!]!) { updateOrder(orderNumber: $orderNumber, version: $version, actions: $actions) { id version } }';
    const docs = loadCommercetoolsDocuments({ updateOrder: tempDoc(byNumber) }, schema);
    expect([...docs.updateOrder.variables].sort()).toEqual(['actions', 'orderNumber', 'version']);
    const built = loadCommercetoolsDocuments({}, schema);
    expect([...built.updateOrder.variables].sort()).toEqual(['actions', 'id', 'version']);
    const wrongType = byNumber.replace('$orderNumber: String!', '$orderNumber: Int!');
    expect(() => loadCommercetoolsDocuments({ updateOrder: tempDoc(wrongType) }, schema)).toThrowError(
      /does not validate against the schema/,
    );
  });

  it.each([
    [
      'neither $id nor $orderNumber',
      'mutation M($version: Long!, $actions: [OrderUpdateAction!]!) { updateOrder(id: "x", version: $version, actions: $actions) { id } }',
    ],
    [
      'both $id and $orderNumber',
      'mutation M($id: String, $orderNumber: String, $version: Long!, $actions: [OrderUpdateAction!]!) { updateOrder(id: $id, orderNumber: $orderNumber, version: $version, actions: $actions) { id } }',
    ],
  ])('an updateOrder override declaring %s is rejected at start', (_label, text) => {
    expect(() => loadCommercetoolsDocuments({ updateOrder: tempDoc(text) })).toThrowError(
      /CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: .*must declare exactly one of the variables \$id, \$orderNumber/,
    );
  });

  it('the actions the handler sends are valid OrderUpdateAction inputs (enum casing checked)', () => {
    const doc = parse(
      `mutation { updateOrder(id: "x", version: 1, actions: [
        { changeOrderState: { orderState: Confirmed } },
        { changePaymentState: { paymentState: Paid } },
        { changeShipmentState: { shipmentState: Shipped } }]) { id } }`,
    );
    expect(validate(schema, doc)).toEqual([]);
    const wrongCase = parse(
      'mutation { updateOrder(id: "x", version: 1, actions: [{ changePaymentState: { paymentState: paid } }]) { id } }',
    );
    expect(validate(schema, wrongCase).length).toBeGreaterThan(0);
  });

  it('loads all built-in documents with schema validation', () => {
    const docs = loadCommercetoolsDocuments({}, { file: SDL_PATH });
    expect(Object.keys(docs)).toEqual([
      'updateOrder',
      'orderByNumber',
      'orderById',
      'updateOrderInStore',
      'orderByNumberInStore',
      'orderByIdInStore',
      'ordersWhere',
      'ordersWhereInStore',
    ]);
  });

  it.each([
    [
      'a field the schema does not have',
      'mutation Search($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!) { search: updateOrder(id: $id, version: $version, actions: $actions) { id orderStatus } }',
      /CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: .*does not validate against the schema: Cannot query field "orderStatus"/,
    ],
    [
      'a wrong variable type',
      'mutation Search($id: String!, $version: Int!, $actions: [OrderUpdateAction!]!) { search: updateOrder(id: $id, version: $version, actions: $actions) { id } }',
      /CT_GRAPHQL_UPDATE_ORDER_DOCUMENT: .*does not validate against the schema: Variable "\$version" of type "Int!"/,
    ],
  ])('an override with %s is rejected at start when a schema is given', (_label, text, message) => {
    const path = tempDoc(text);
    expect(() => loadCommercetoolsDocuments({ updateOrder: path }, schema)).toThrowError(ConfigError);
    expect(() => loadCommercetoolsDocuments({ updateOrder: path }, schema)).toThrowError(message);
  });

  it.each([
    ['syntax error', 'mutation { updateOrder(', /is not valid GraphQL/],
    [
      'a query instead of a mutation',
      'query Q($id: String!, $version: Long!, $actions: [OrderUpdateAction!]!) { order(id: $id) { id } }',
      /must be a mutation/,
    ],
    [
      'missing $actions',
      'mutation M($id: String!, $version: Long!) { updateOrder(id: $id, version: $version, actions: []) { id } }',
      /must declare the variables \$actions/,
    ],
    [
      'two operations',
      'mutation A { a: updateOrder(version: 1, actions: []) { id } } mutation B { b: updateOrder(version: 1, actions: []) { id } }',
      /exactly one operation, found 2/,
    ],
  ])('an override with %s is rejected at start even without a schema', (_label, text, message) => {
    const path = tempDoc(text);
    expect(() => loadCommercetoolsDocuments({ updateOrder: path })).toThrowError(message);
  });

  it('an unreadable override path names the variable', () => {
    expect(() => loadCommercetoolsDocuments({ orderByNumber: '/nonexistent/order.graphql' })).toThrowError(
      /CT_GRAPHQL_ORDER_BY_NUMBER_DOCUMENT: .*cannot be read/,
    );
  });
});
