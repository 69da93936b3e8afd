/**
 * The commercetools GraphQL documents (built-in .graphql files next to this module, replaceable by file path).
 * Each is validated at start against the schema the handler passes (by default the bundled official SDL).
 */
import type { GraphQLSchema } from 'graphql';
import { loadDocument, loadSchema, type LoadedDocument } from '../downstream/documents.js';

export type CommercetoolsDocuments = Readonly<Record<'updateOrder' | 'orderByNumber' | 'orderById', LoadedDocument>>;

export const BUILT_IN_DOCUMENT_FILES = {
  updateOrder: new URL('./update-order.graphql', import.meta.url),
  orderByNumber: new URL('./order-by-number.graphql', import.meta.url),
  orderById: new URL('./order-by-id.graphql', import.meta.url),
} as const;

export function loadCommercetoolsDocuments(
  overrides: { updateOrder?: string; orderByNumber?: string; orderById?: string } = {},
  schema?: GraphQLSchema | { file: string },
): CommercetoolsDocuments {
  const built = schema && 'file' in schema ? loadSchema(schema.file, 'CT_GRAPHQL_SCHEMA_FILE') : schema;
  return {
    updateOrder: loadDocument(
      {
        name: 'commercetools updateOrder',
        defaultFile: BUILT_IN_DOCUMENT_FILES.updateOrder,
        overridePath: overrides.updateOrder,
        envVar: 'CT_GRAPHQL_UPDATE_ORDER_DOCUMENT',
        operation: 'mutation',
        // The order is addressed by `$id` (built-in) or `$orderNumber`; the client sends whichever is declared.
        requiredVariables: ['version', 'actions'],
        oneOfVariables: ['id', 'orderNumber'],
      },
      built,
    ),
    orderByNumber: loadDocument(
      {
        name: 'commercetools order(orderNumber)',
        defaultFile: BUILT_IN_DOCUMENT_FILES.orderByNumber,
        overridePath: overrides.orderByNumber,
        envVar: 'CT_GRAPHQL_ORDER_BY_NUMBER_DOCUMENT',
        operation: 'query',
        requiredVariables: ['orderNumber'],
      },
      built,
    ),
    orderById: loadDocument(
      {
        name: 'commercetools order(id)',
        defaultFile: BUILT_IN_DOCUMENT_FILES.orderById,
        overridePath: overrides.orderById,
        envVar: 'CT_GRAPHQL_ORDER_BY_ID_DOCUMENT',
        operation: 'query',
        requiredVariables: ['id'],
      },
      built,
    ),
  };
}
