import { describe, expect, it } from 'vitest';
import { errorCodeOf, kafkaSecurityError, type ConnectionConfig } from '../../../common/index.js';

const KAFKA: ConnectionConfig['kafka'] = {
  brokers: ['b-1:9096'],
  clientId: 'fc',
  ssl: true,
  tls: { ca: 'pem' },
  sasl: { mechanism: 'scram-sha-512', username: 'fc', password: 'Sasl-Secret-8' },
};

/** KafkaJS's shapes: a retriable connection error wrapping the TLS error, a SASL error by name. */
const connectionError = (message: string) =>
  Object.assign(new Error('Connection error'), {
    name: 'KafkaJSNonRetriableError',
    cause: Object.assign(new Error(message), { name: 'KafkaJSConnectionError' }),
  });

describe('kafkaSecurityError: refused TLS and SASL settings name the setting', () => {
  it.each([
    [
      'an untrusted broker certificate',
      connectionError('unable to verify the first certificate'),
      /Check KAFKA_SSL_CA/,
    ],
    ['a self-signed chain', connectionError('self-signed certificate in certificate chain'), /Check KAFKA_SSL_CA/],
    [
      'a host the certificate does not name',
      connectionError("Hostname/IP does not match certificate's altnames"),
      /Check KAFKA_BROKERS/,
    ],
    [
      'a refused client certificate',
      connectionError('sslv3 alert bad certificate ... SSL alert number 42'),
      /Check KAFKA_SSL_CERT and KAFKA_SSL_KEY/,
    ],
    ['TLS to a plaintext listener', connectionError('wrong version number'), /Check KAFKA_SSL and KAFKA_BROKERS/],
    [
      'refused SASL credentials',
      Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), {
        name: 'KafkaJSSASLAuthenticationError',
      }),
      /SASL scram-sha-512 authentication failed\. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    ],
  ])('%s', (_label, error, message) => {
    const security = kafkaSecurityError(error, KAFKA);
    expect(errorCodeOf(security)).toBe('KAFKA_SECURITY');
    expect(security?.message).toMatch(message);
    expect(security?.message).toMatch(/^Kafka \(b-1:9096\) refused the connection settings/);
    expect(security?.message).not.toMatch(/Sasl-Secret-8/);
  });

  it('leaves reachability problems alone (unreachable broker, timeout)', () => {
    expect(kafkaSecurityError(connectionError('connect ECONNREFUSED 127.0.0.1:9096'), KAFKA)).toBeUndefined();
    expect(kafkaSecurityError(new Error('Connection timeout'), KAFKA)).toBeUndefined();
  });
});
