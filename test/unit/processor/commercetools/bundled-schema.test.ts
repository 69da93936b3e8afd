import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CT_SCHEMA_PATH } from '../../../../processor/commercetools/schema-file.js';

/** SHA-256 of the official schema as bundled (processor/commercetools/reference/README.md records it). */
const OFFICIAL_SCHEMA_SHA256 = '60aa0c8d256aefb9092137edcb68d8f163c3d563d6a1228270f93fa532e16ab1';

describe('bundled commercetools schema', () => {
  it('is the official schema, byte for byte (an edit to the bundled copy fails here)', () => {
    const digest = createHash('sha256').update(readFileSync(BUNDLED_CT_SCHEMA_PATH)).digest('hex');
    expect(digest).toBe(OFFICIAL_SCHEMA_SHA256);
  });

  it('declares the updateOrder mutation the connector sends', () => {
    const sdl = readFileSync(BUNDLED_CT_SCHEMA_PATH, 'utf8');
    expect(sdl).toMatch(/updateOrder\(/);
    expect(sdl).toMatch(/enum OrderState \{/);
  });
});
