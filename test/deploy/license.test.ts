/** The repository's LICENSE is the full Apache License 2.0 text that package.json's license field names. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/tools.js';

/** MD5 of https://www.apache.org/licenses/LICENSE-2.0.txt, the canonical text. */
const APACHE_2_0_MD5 = '3b83ef96387f14655fc854ddc3c6bd57';

describe('LICENSE', () => {
  it('is the unmodified Apache License 2.0 text, matching package.json', () => {
    const text = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
    const { license } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string };
    expect(license).toBe('Apache-2.0');
    expect(text).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    expect(createHash('md5').update(text).digest('hex')).toBe(APACHE_2_0_MD5);
  });
});
