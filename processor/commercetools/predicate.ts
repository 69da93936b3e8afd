/** commercetools query predicates the connector builds (https://docs.commercetools.com/api/predicates/query). */
import type { OrderLocator } from './client.js';

/**
 * `field in ("a", "b")` as a commercetools query predicate: values are string literals in double quotes with `\` and
 * `"` escaped, so an order number holding either cannot change the predicate.
 */
export function inPredicate(field: OrderLocator['by'], values: readonly string[]): string {
  const literals = values.map((value) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
  return `${field} in (${literals.join(', ')})`;
}
