export * from './server.js';
export * from './store.js';
export { fluentSchema, FLUENT_SDL } from './schema.js';
export * from './webhook-sender.js';
