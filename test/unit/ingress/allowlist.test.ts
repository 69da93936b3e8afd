import { describe, expect, it } from 'vitest';
import { describeAllowlist, isAllowed, parseAllowlist } from '../../../ingress/allowlist.js';

describe('FLUENT_ACCOUNTS allowlist', () => {
  it('an account entry serves every retailer of it; account ids compare case-insensitively', () => {
    const list = parseAllowlist(['ACME']);
    expect(isAllowed(list, 'ACME', '1')).toBe(true);
    expect(isAllowed(list, 'acme', '99')).toBe(true);
    expect(isAllowed(list, 'OTHER', '1')).toBe(false);
  });

  it('account:retailer entries serve only those retailers; an account entry beside them serves all', () => {
    const list = parseAllowlist(['ACME:1', 'ACME:2', 'BETA:7']);
    expect(isAllowed(list, 'ACME', '1')).toBe(true);
    expect(isAllowed(list, 'ACME', '2')).toBe(true);
    expect(isAllowed(list, 'ACME', '3')).toBe(false);
    expect(isAllowed(list, 'BETA', '7')).toBe(true);
    expect(isAllowed(parseAllowlist(['ACME:1', 'ACME']), 'ACME', '3')).toBe(true);
  });

  it('* alone accepts every account; it cannot be mixed with entries', () => {
    expect(isAllowed(parseAllowlist(['*']), 'ANY', 'x')).toBe(true);
    expect(describeAllowlist(parseAllowlist(['*']))).toBe('every account (*)');
    expect(() => parseAllowlist(['*', 'ACME'])).toThrow(/cannot be combined/);
  });

  it('refuses an empty list and malformed entries, naming the entry by position', () => {
    expect(() => parseAllowlist([])).toThrow(/at least one entry/);
    expect(() => parseAllowlist(['ACME', 'A:B:C'])).toThrow(
      /entry 2 \("A:B:C"\) must be accountId or accountId:retailerId/,
    );
    expect(() => parseAllowlist([':1'])).toThrow(/entry 1/);
    expect(() => parseAllowlist(['ACME:'])).toThrow(/entry 1/);
  });
});
