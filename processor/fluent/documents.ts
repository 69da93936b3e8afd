/**
 * The Fluent GraphQL documents (built-in .graphql files next to this module, replaceable by file path), each validated
 * at start against the bundled Fluent schema subset (reference/fluent-subset.graphql) or FLUENT_GRAPHQL_SCHEMA_FILE.
 */
import { loadDocument, loadSchema, type LoadedDocument } from '../downstream/documents.js';
import { BUNDLED_FLUENT_SCHEMA_PATH } from './schema-file.js';

export type FluentDocuments = Readonly<
  Record<'orderById' | 'orderByRef' | 'ordersByRefs' | 'settings', LoadedDocument>
>;

export function loadFluentDocuments(
  overrides: { orderById?: string; orderByRef?: string; ordersByRefs?: string; settings?: string } = {},
  schemaFile: string = BUNDLED_FLUENT_SCHEMA_PATH,
): FluentDocuments {
  const schema = loadSchema(schemaFile, 'FLUENT_GRAPHQL_SCHEMA_FILE');
  return {
    orderById: loadDocument(
      {
        name: 'fluent orderById',
        defaultFile: new URL('./order-by-id.graphql', import.meta.url),
        overridePath: overrides.orderById,
        envVar: 'FLUENT_GRAPHQL_ORDER_BY_ID_DOCUMENT',
        operation: 'query',
        requiredVariables: ['id'],
      },
      schema,
    ),
    orderByRef: loadDocument(
      {
        name: 'fluent order(ref)',
        defaultFile: new URL('./order-by-ref.graphql', import.meta.url),
        overridePath: overrides.orderByRef,
        envVar: 'FLUENT_GRAPHQL_ORDER_BY_REF_DOCUMENT',
        operation: 'query',
        requiredVariables: ['ref'],
      },
      schema,
    ),
    ordersByRefs: loadDocument(
      {
        name: 'fluent orders(ref)',
        defaultFile: new URL('./orders-by-refs.graphql', import.meta.url),
        overridePath: overrides.ordersByRefs,
        envVar: 'FLUENT_GRAPHQL_ORDERS_BY_REFS_DOCUMENT',
        operation: 'query',
        requiredVariables: ['refs', 'first', 'after'],
      },
      schema,
    ),
    settings: loadDocument(
      {
        name: 'fluent settings',
        defaultFile: new URL('./settings.graphql', import.meta.url),
        overridePath: overrides.settings,
        envVar: 'FLUENT_GRAPHQL_SETTINGS_DOCUMENT',
        operation: 'query',
        requiredVariables: ['names', 'contexts', 'contextIds'],
      },
      schema,
    ),
  };
}
