/**
 * Bearer tokens a simulator issued: issue with the current TTL, look up a live one, and the run-time control tests
 * use to revoke or expire them. Shared by the Fluent and commercetools simulators.
 */
import { randomBytes } from 'node:crypto';

export interface AuthControl {
  /** Lifetime of tokens issued from now on, seconds. */
  tokenTtlSeconds: number;
  /** Invalidates one token (next API call with it gets 401). */
  revoke(token: string): void;
  /** Invalidates every token issued so far (as after a key rotation). */
  revokeAll(): void;
  /** Marks every issued token expired now. */
  expireAll(): void;
  /** Number of currently valid tokens. */
  validTokens(): number;
  /** Every token issued so far, revoked and expired ones included (e.g. to check none appears in a log). */
  issuedTokens(): string[];
}

export class TokenRegistry<Info extends object = object> {
  private readonly live = new Map<string, Info & { expiresAt: number }>();
  private readonly issued: string[] = [];
  readonly control: AuthControl;

  constructor(tokenTtlSeconds: number) {
    const live = this.live;
    const issued = this.issued;
    this.control = {
      tokenTtlSeconds,
      revoke: (token) => void live.delete(token),
      revokeAll: () => live.clear(),
      expireAll: () => {
        for (const info of live.values()) info.expiresAt = 0;
      },
      validTokens: () => [...live.values()].filter((i) => i.expiresAt > Date.now()).length,
      issuedTokens: () => [...issued],
    };
  }

  /** Issues a token valid for `control.tokenTtlSeconds`; returns it with that TTL. */
  issue(info: Info): { token: string; ttl: number } {
    const token = randomBytes(24).toString('base64url');
    const ttl = this.control.tokenTtlSeconds;
    this.live.set(token, { ...info, expiresAt: Date.now() + ttl * 1000 });
    this.issued.push(token);
    return { token, ttl };
  }

  /** The token's info while it is valid; `expired` when it was issued but has expired; undefined when unknown. */
  lookup(token: string): { info: Info } | 'expired' | undefined {
    const info = this.live.get(token);
    if (!info) return undefined;
    return info.expiresAt > Date.now() ? { info } : 'expired';
  }
}
