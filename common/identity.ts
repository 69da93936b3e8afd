/**
 * How the connector names itself on every downstream call, the processor's and the CLI's (docs/architecture.md,
 * "Processing semantics"):
 * `User-Agent: fluent-commercetools-connector/<package.json version>` and `X-Correlation-ID` — the webhook's event id
 * for calls made for one record (the `eventId` field of that record's log lines), a generated UUID for calls that
 * serve many records (token requests, settings loads).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const PRODUCT_NAME = 'fluent-commercetools-connector';

/** package.json sits one level above this file in a checkout (common/) and two in dist/. */
function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string' && pkg.version) return pkg.version;
    } catch {
      // not at this location: try the next one
    }
  }
  return 'unknown';
}

export const USER_AGENT = `${PRODUCT_NAME}/${packageVersion()}`;

/** A correlation id for a call that no single webhook asked for. */
export function newCorrelationId(): string {
  return randomUUID();
}
