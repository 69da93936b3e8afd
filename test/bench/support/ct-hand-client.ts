/**
 * The connector's previous hand-written commercetools client (before issue 16), kept only so that
 * `npm run bench:ct-client` can compare the platform SDK against it: the same hot path as it was — token from a
 * TokenCache, `undici.request` on a pooled Agent with the identity headers, the body read as text and parsed, the
 * status typed, the first root field read and checked. Token request and error branches beyond the hot path's checks
 * are trimmed; nothing outside the benchmark uses it.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { TokenCache } from '../../../processor/downstream/token-cache.js';
import { USER_AGENT } from '../../../common/identity.js';

interface Order {
  readonly id: string;
  readonly version: number;
}

interface GraphqlBody {
  readonly data?: Record<string, Order | null> | null;
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: { readonly code?: string } }>;
}

export class HandCommercetoolsClient {
  private readonly agent: Agent;
  private readonly tokens: TokenCache;

  constructor(
    private readonly options: {
      apiUrl: string;
      authUrl: string;
      clientId: string;
      clientSecret: string;
      projectKey: string;
      connections: number;
    },
  ) {
    this.agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
    this.tokens = new TokenCache(() => this.fetchToken());
  }

  async findOrder(query: string, orderNumber: string, correlationId = randomUUID()): Promise<Order | null> {
    const body = JSON.stringify({ query, variables: { orderNumber } });
    const token = await this.tokens.get();
    const res = await request(`${this.options.apiUrl}/${encodeURIComponent(this.options.projectKey)}/graphql`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': USER_AGENT,
        'x-correlation-id': correlationId,
      },
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      dispatcher: this.agent,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    const parsed = JSON.parse(text) as GraphqlBody;
    if (parsed.errors?.length) throw new Error(parsed.errors.map((e) => e.message).join('; '));
    const order = parsed.data ? (Object.values(parsed.data)[0] ?? null) : null;
    if (order && (typeof order.id !== 'string' || typeof order.version !== 'number')) throw new Error('no id/version');
    return order;
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async fetchToken() {
    const { authUrl, clientId, clientSecret, projectKey } = this.options;
    const res = await request(`${authUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': USER_AGENT,
        'x-correlation-id': randomUUID(),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: `manage_orders:${projectKey}` }).toString(),
      dispatcher: this.agent,
    });
    const token = (await res.body.json()) as { access_token: string; expires_in: number };
    return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
  }
}
