import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CT_SCHEMA_PATH } from '../../../../processor/commercetools/schema-file.js';

/** The published reference copy, where a checkout has it beside the repository (CI does). */
const SHARED_CT_SCHEMA_PATH = fileURLToPath(
  new URL('../../../../../shared/reference/commercetools-graphql-schema.sdl', import.meta.url),
);

describe('bundled commercetools schema', () => {
  // CI lays the project's reference copy beside the repository, so there the check always runs; a clone elsewhere
  // has only the bundled copy and nothing to compare it with.
  const shared = existsSync(SHARED_CT_SCHEMA_PATH);

  it.runIf(shared)('is byte-identical to the reference copy in shared/reference', () => {
    expect(readFileSync(BUNDLED_CT_SCHEMA_PATH).equals(readFileSync(SHARED_CT_SCHEMA_PATH))).toBe(true);
  });

  it('declares the updateOrder mutation the connector sends', () => {
    const sdl = readFileSync(BUNDLED_CT_SCHEMA_PATH, 'utf8');
    expect(sdl).toMatch(/updateOrder\(/);
    expect(sdl).toMatch(/enum OrderState \{/);
  });
});
