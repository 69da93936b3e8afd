export * from './server.js';
export * from './store.js';
export { loadCommercetoolsSchema, DEFAULT_CT_SCHEMA_PATH } from './schema.js';
