/** Path of the bundled official commercetools GraphQL schema (see reference/README.md). */
import { fileURLToPath } from 'node:url';

export const BUNDLED_CT_SCHEMA_PATH: string = fileURLToPath(
  new URL('./reference/commercetools-graphql-schema.sdl', import.meta.url),
);
