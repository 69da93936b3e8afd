/** The Fluent documents validate against the Fluent schema subset the simulator is built on; overrides are checked. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadFluentDocuments } from '../../../../processor/fluent/documents.js';
import { ConfigError } from '../../../../common/index.js';
import { fluentSchema } from '../../../../sim/fluent/schema.js';

describe('Fluent documents', () => {
  it.each(['order-by-id.graphql', 'order-by-ref.graphql', 'orders-by-refs.graphql', 'settings.graphql'])(
    '%s validates',
    (file) => {
      const text = readFileSync(new URL(`../../../../processor/fluent/${file}`, import.meta.url), 'utf8');
      expect(validate(fluentSchema(), parse(text)).map((e) => e.message)).toEqual([]);
    },
  );

  it('an override without the required variable is rejected at start, naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluent-doc-'));
    const path = join(dir, 'order.graphql');
    writeFileSync(path, 'query Q($orderId: ID!) { orderById(id: $orderId) { id ref status } }');
    expect(() => loadFluentDocuments({ orderById: path })).toThrowError(ConfigError);
    expect(() => loadFluentDocuments({ orderById: path })).toThrowError(
      /FLUENT_GRAPHQL_ORDER_BY_ID_DOCUMENT: .*must declare the variables \$id/,
    );
  });

  it('an override selecting a field outside the Fluent schema is rejected at start; another schema file admits it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluent-doc-'));
    const path = join(dir, 'order.graphql');
    writeFileSync(path, 'query Q($id: ID!) { orderById(id: $id) { id ref status totalPrice retailer { id } } }');
    expect(() => loadFluentDocuments({ orderById: path })).toThrowError(
      /FLUENT_GRAPHQL_ORDER_BY_ID_DOCUMENT: .*does not validate against the schema: Cannot query field "totalPrice"/,
    );
    const schemaPath = join(dir, 'fluent.graphql');
    const subset = readFileSync(
      new URL('../../../../processor/fluent/reference/fluent-subset.graphql', import.meta.url),
      'utf8',
    );
    writeFileSync(schemaPath, subset.replace('type Order {', 'type Order {\n  totalPrice: Float'));
    expect(loadFluentDocuments({ orderById: path }, schemaPath).orderById.text).toContain('totalPrice');
    expect(() => loadFluentDocuments({}, join(dir, 'missing.graphql'))).toThrowError(/FLUENT_GRAPHQL_SCHEMA_FILE/);
  });

  it('a valid override is used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluent-doc-'));
    const path = join(dir, 'order.graphql');
    const text =
      'query Q($id: ID!) { o: orderById(id: $id) { id ref status retailer { id } attributes { name value } } }';
    writeFileSync(path, text);
    expect(loadFluentDocuments({ orderById: path }).orderById.text).toBe(text);
  });
});
