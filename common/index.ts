export * from './connection.js';
export * from './duration.js';
export * from './env.js';
export * from './error-codes.js';
export * from './errors.js';
export * from './logging.js';
export * from './redaction.js';
export * from './retry-delays.js';
