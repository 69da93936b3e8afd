/**
 * OAuth access-token cache: one token is shared by every call until shortly before it expires; concurrent callers
 * share one in-flight token request (single flight); `invalidate(token)` drops a token the server rejected (401) so
 * the next `get()` fetches a fresh one — a token someone else already replaced is not dropped twice.
 */
export interface FetchedToken {
  readonly accessToken: string;
  /** Lifetime in seconds as the server reported it. */
  readonly expiresInSeconds: number;
}

export interface TokenCacheOptions {
  /** Refresh this long before expiry. Default 60 s, at most half the token's lifetime. */
  readonly refreshBeforeExpiryMs?: number;
  /** Clock (tests). Default Date.now. */
  readonly now?: () => number;
}

export class TokenCache {
  private current: { token: string; refreshAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private readonly skewMs: number;
  private readonly now: () => number;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    options: TokenCacheOptions = {},
  ) {
    this.skewMs = options.refreshBeforeExpiryMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** A valid token, fetching one only when none is cached or it is about to expire. */
  get(): Promise<string> {
    const current = this.current;
    if (current && this.now() < current.refreshAt) return Promise.resolve(current.token);
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget `token` (rejected by the server). No-op when a newer token is already cached. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async refresh(): Promise<string> {
    const fetched = await this.fetchToken();
    const lifetimeMs = Math.max(0, fetched.expiresInSeconds * 1000);
    const skew = Math.min(this.skewMs, lifetimeMs / 2);
    this.current = { token: fetched.accessToken, refreshAt: this.now() + lifetimeMs - skew };
    return fetched.accessToken;
  }
}
