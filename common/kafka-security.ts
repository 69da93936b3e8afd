/**
 * Turns a failed first connection to Kafka into an error an operator can act on, when the failure is about the
 * security settings rather than reachability: an untrusted broker certificate (KAFKA_SSL_CA), a client certificate
 * the broker refuses (KAFKA_SSL_CERT / KAFKA_SSL_KEY), TLS spoken to a plaintext listener or the reverse (KAFKA_SSL),
 * refused SASL credentials (KAFKA_SASL_*). These never heal by retrying, so services stop at start with this error
 * (exit 78, the CLI exits 2) instead of retrying forever. The message names the variables and the reason reported by
 * TLS or the broker; neither ever contains a password, key or token.
 */
import type { ConnectionConfig } from './connection.js';
import { ConnectorError, isConnectorError } from './errors.js';

/** The error and its causes (KafkaJS nests them as `cause` / `originalError`), outermost first. */
function chain(error: unknown): Array<{ name: string; message: string; code: string }> {
  const out: Array<{ name: string; message: string; code: string }> = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth += 1) {
    const e = current as {
      name?: unknown;
      message?: unknown;
      code?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
    out.push({ name: text(e.name), message: text(e.message), code: text(e.code) });
    current = e.cause ?? e.originalError;
  }
  return out;
}

const UNTRUSTED =
  /self[- ]signed|unable to (?:verify|get local issuer)|certificate (?:has expired|is not yet valid|signature failure)|CERT_|DEPTH_ZERO|UNABLE_TO_/i;
const HOSTNAME = /altnames|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate/i;
const CLIENT_CERT_REFUSED =
  /alert (?:certificate required|bad certificate|unknown ca|certificate unknown)|alert number 4[0-9]/i;
const TLS_TO_PLAINTEXT = /wrong version number|packet length too long|ssl3_get_record|unexpected eof while reading/i;

/** The security error for `error`, or undefined when the failure is something else (unreachable, timeout, …). */
export function kafkaSecurityError(error: unknown, config: ConnectionConfig['kafka']): ConnectorError | undefined {
  if (isConnectorError(error) && error.code === 'KAFKA_SECURITY') return error as ConnectorError;
  const links = chain(error);
  const text = links.map((l) => `${l.code} ${l.message}`).join(' | ');
  const brokers = config.brokers.join(', ');
  const reason = links.find((l) => l.message)?.message ?? String(error);
  const fail = (settings: string, hint: string) =>
    new ConnectorError(
      'KAFKA_SECURITY',
      `Kafka (${brokers}) refused the connection settings: ${hint}. Check ${settings}. Reason: ${reason}`,
      { cause: error, details: { settings } },
    );

  if (links.some((l) => l.name === 'KafkaJSSASLAuthenticationError')) {
    return config.sasl?.mechanism === 'oauthbearer'
      ? fail(
          'KAFKA_SASL_OAUTHBEARER_CLIENT_ID, KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET',
          'the OAUTHBEARER token was refused',
        )
      : fail(
          'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or _FILE)',
          `SASL ${config.sasl?.mechanism ?? ''} authentication failed`.replace(/\s+/g, ' '),
        );
  }
  if (HOSTNAME.test(text)) {
    return fail('KAFKA_BROKERS', 'the broker certificate does not name the host in KAFKA_BROKERS');
  }
  if (UNTRUSTED.test(text)) {
    return fail(
      config.tls?.ca !== undefined
        ? 'KAFKA_SSL_CA (or KAFKA_SSL_CA_FILE)'
        : 'KAFKA_SSL_CA (or KAFKA_SSL_CA_FILE): none is set',
      "the broker's certificate is not signed by a trusted CA",
    );
  }
  if (config.ssl && CLIENT_CERT_REFUSED.test(text)) {
    return fail(
      'KAFKA_SSL_CERT and KAFKA_SSL_KEY (or _FILE)',
      config.tls?.cert === undefined
        ? 'the broker requires a client certificate (mutual TLS) and none is set'
        : 'the broker does not accept the client certificate',
    );
  }
  if (config.ssl && TLS_TO_PLAINTEXT.test(text)) {
    return fail('KAFKA_SSL and KAFKA_BROKERS', 'TLS was spoken to a listener that is not TLS');
  }
  return undefined;
}
