/**
 * The commercetools GraphQL documents (built-in .graphql files next to this module, replaceable by file path): the
 * project-wide ones, and the in-store ones used for targets with a store key (credentials.ts). Each is validated at
 * start against the schema the handler passes (by default the bundled official SDL).
 */
import type { GraphQLSchema } from 'graphql';
import { loadDocument, loadSchema, type DocumentSpec, type LoadedDocument } from '../downstream/documents.js';

export type CommercetoolsDocumentName =
  | 'updateOrder'
  | 'orderByNumber'
  | 'orderById'
  | 'updateOrderInStore'
  | 'orderByNumberInStore'
  | 'orderByIdInStore'
  | 'ordersWhere'
  | 'ordersWhereInStore';

export type CommercetoolsDocuments = Readonly<Record<CommercetoolsDocumentName, LoadedDocument>>;

/** File paths replacing built-in documents (CT_GRAPHQL_*_DOCUMENT). */
export type CommercetoolsDocumentOverrides = { readonly [name in CommercetoolsDocumentName]?: string };

export const BUILT_IN_DOCUMENT_FILES = {
  updateOrder: new URL('./update-order.graphql', import.meta.url),
  orderByNumber: new URL('./order-by-number.graphql', import.meta.url),
  orderById: new URL('./order-by-id.graphql', import.meta.url),
  updateOrderInStore: new URL('./update-order-in-store.graphql', import.meta.url),
  orderByNumberInStore: new URL('./order-by-number-in-store.graphql', import.meta.url),
  orderByIdInStore: new URL('./order-by-id-in-store.graphql', import.meta.url),
  ordersWhere: new URL('./orders-where.graphql', import.meta.url),
  ordersWhereInStore: new URL('./orders-where-in-store.graphql', import.meta.url),
} as const satisfies Record<CommercetoolsDocumentName, URL>;

type Spec = Omit<DocumentSpec, 'defaultFile' | 'overridePath'>;

/** The order is addressed by `$id` (built-in) or `$orderNumber`; the client sends whichever is declared. */
const UPDATE = { operation: 'mutation', oneOfVariables: ['id', 'orderNumber'] } as const;

const SPECS: Record<CommercetoolsDocumentName, Spec> = {
  updateOrder: {
    ...UPDATE,
    name: 'commercetools updateOrder',
    envVar: 'CT_GRAPHQL_UPDATE_ORDER_DOCUMENT',
    requiredVariables: ['version', 'actions'],
  },
  orderByNumber: {
    name: 'commercetools order(orderNumber)',
    envVar: 'CT_GRAPHQL_ORDER_BY_NUMBER_DOCUMENT',
    operation: 'query',
    requiredVariables: ['orderNumber'],
  },
  orderById: {
    name: 'commercetools order(id)',
    envVar: 'CT_GRAPHQL_ORDER_BY_ID_DOCUMENT',
    operation: 'query',
    requiredVariables: ['id'],
  },
  updateOrderInStore: {
    ...UPDATE,
    name: 'commercetools updateOrder(storeKey)',
    envVar: 'CT_GRAPHQL_UPDATE_ORDER_IN_STORE_DOCUMENT',
    requiredVariables: ['storeKey', 'version', 'actions'],
  },
  orderByNumberInStore: {
    name: 'commercetools inStore.order(orderNumber)',
    envVar: 'CT_GRAPHQL_ORDER_BY_NUMBER_IN_STORE_DOCUMENT',
    operation: 'query',
    requiredVariables: ['storeKey', 'orderNumber'],
  },
  orderByIdInStore: {
    name: 'commercetools inStore.order(id)',
    envVar: 'CT_GRAPHQL_ORDER_BY_ID_IN_STORE_DOCUMENT',
    operation: 'query',
    requiredVariables: ['storeKey', 'id'],
  },
  // Batched reads (order-reads.ts): the connector builds the `where` predicate from the records' lookup values.
  ordersWhere: {
    name: 'commercetools orders(where)',
    envVar: 'CT_GRAPHQL_ORDERS_WHERE_DOCUMENT',
    operation: 'query',
    requiredVariables: ['where', 'limit'],
  },
  ordersWhereInStore: {
    name: 'commercetools inStore.orders(where)',
    envVar: 'CT_GRAPHQL_ORDERS_WHERE_IN_STORE_DOCUMENT',
    operation: 'query',
    requiredVariables: ['storeKey', 'where', 'limit'],
  },
};

export function loadCommercetoolsDocuments(
  overrides: CommercetoolsDocumentOverrides = {},
  schema?: GraphQLSchema | { file: string },
): CommercetoolsDocuments {
  const built = schema && 'file' in schema ? loadSchema(schema.file, 'CT_GRAPHQL_SCHEMA_FILE') : schema;
  const load = (name: CommercetoolsDocumentName) =>
    loadDocument({ ...SPECS[name], defaultFile: BUILT_IN_DOCUMENT_FILES[name], overridePath: overrides[name] }, built);
  return {
    updateOrder: load('updateOrder'),
    orderByNumber: load('orderByNumber'),
    orderById: load('orderById'),
    updateOrderInStore: load('updateOrderInStore'),
    orderByNumberInStore: load('orderByNumberInStore'),
    orderByIdInStore: load('orderByIdInStore'),
    ordersWhere: load('ordersWhere'),
    ordersWhereInStore: load('ordersWhereInStore'),
  };
}
