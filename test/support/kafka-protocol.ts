/**
 * Which protocol version KafkaJS would use for each API it implements, against what a broker offers (ApiVersions).
 *
 * KafkaJS picks min(its newest implemented version, the broker's max) and never looks at the broker's *minimum*
 * (node_modules/kafkajs/src/protocol/requests/index.js, `lookup`). Kafka 4.0 raised minimums (KIP-896), so an API
 * whose newest KafkaJS version is below a broker's minimum would fail at run time with UNSUPPORTED_VERSION; this
 * computes that table from a live broker. It reads KafkaJS internals (no public API exposes the negotiated versions).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface RequestDefinition {
  readonly versions: readonly string[];
}
interface ApiVersion {
  readonly minVersion: number;
  readonly maxVersion: number;
}
interface BrokerInternals {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readonly versions: Readonly<Record<number, ApiVersion>>;
}
type Ctor<T> = new (options: Record<string, unknown>) => T;

const { requests } = require('kafkajs/src/protocol/requests/index.js') as {
  requests: Record<string, RequestDefinition>;
};
const apiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;
const Broker = require('kafkajs/src/broker/index.js') as Ctor<BrokerInternals>;
const ConnectionPool = require('kafkajs/src/network/connectionPool.js') as Ctor<unknown>;
const socketFactory = (require('kafkajs/src/network/socketFactory.js') as () => unknown)();
const { createLogger, LEVELS } = require('kafkajs/src/loggers/index.js') as {
  createLogger(this: void, options: { level: number; logCreator: () => () => void }): unknown;
  LEVELS: { NOTHING: number };
};

export interface ApiNegotiation {
  readonly api: string;
  /** Newest version KafkaJS implements. */
  readonly kafkajsMax: number;
  /** What the broker offers; undefined when it does not offer the API at all. */
  readonly broker: ApiVersion | undefined;
  /** The version KafkaJS would send. */
  readonly chosen: number | undefined;
  readonly ok: boolean;
}

/** Asks one broker (`host:port`) for its ApiVersions and lines them up with what KafkaJS implements. */
export async function negotiateApiVersions(address: string): Promise<ApiNegotiation[]> {
  const [host, port] = address.split(':');
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} });
  const pool = new ConnectionPool({
    host,
    port: Number(port),
    logger,
    socketFactory,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    clientId: 'fc-protocol-probe',
  });
  const broker = new Broker({ connectionPool: pool, logger });
  await broker.connect();
  const offered = broker.versions;
  await broker.disconnect();
  return Object.entries(requests)
    .filter(([, definition]) => definition.versions.length > 0)
    .map(([api, definition]) => {
      const kafkajsMax = Math.max(...definition.versions.map(Number));
      const version = offered[apiKeys[api]!];
      const chosen = version && Math.min(kafkajsMax, version.maxVersion);
      return { api, kafkajsMax, broker: version, chosen, ok: chosen !== undefined && chosen >= version!.minVersion };
    });
}

/** One line per API: `Produce  kafkajs ≤ 7  broker 3-13  → v7 ok`. */
export function renderNegotiation(rows: readonly ApiNegotiation[]): string {
  return rows
    .map(
      (r) =>
        `${r.api.padEnd(28)} kafkajs ≤ ${String(r.kafkajsMax).padEnd(3)} broker ` +
        `${r.broker ? `${r.broker.minVersion}-${r.broker.maxVersion}` : 'none'}`.padEnd(8) +
        ` → ${r.chosen === undefined ? '-' : `v${r.chosen}`} ${r.ok ? 'ok' : 'UNSUPPORTED'}`,
    )
    .join('\n');
}
