/** Path of the bundled Fluent GraphQL schema subset the Fluent documents are validated against at start. */
import { fileURLToPath } from 'node:url';

export const BUNDLED_FLUENT_SCHEMA_PATH: string = fileURLToPath(
  new URL('./reference/fluent-subset.graphql', import.meta.url),
);
