export * from './error-brand.js';
export * from './headers.js';
export * from './serde.js';
export * from './topics.js';
export * from './webhook-event.js';
