/**
 * The mark every connector error carries. A global-registry Symbol rather than a class check: a partner plugin may
 * load its own copy of these modules, and `instanceof` fails across copies while `Symbol.for` is process-wide.
 * It lives here, in the contract, so the serde's errors carry it without importing the runtime (common/).
 */
export const ERROR_BRAND: unique symbol = Symbol.for('fluent-commercetools-connector.error');
