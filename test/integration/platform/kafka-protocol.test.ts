/**
 * KafkaJS against the broker under test (Kafka 3.9 and 4.x in CI): every API KafkaJS implements must negotiate a
 * version the broker still accepts. Kafka 4.0 dropped old request versions (KIP-896) and KafkaJS 2.2.4 never checks
 * a broker's minimum (test/support/kafka-protocol.ts), so a regression here would only show as UNSUPPORTED_VERSION
 * at run time. The table is printed for the record (README.md, "Platforms").
 */
import { describe, expect, it } from 'vitest';
import { infra } from '../../support/kafka.js';
import { negotiateApiVersions, renderNegotiation } from '../../support/kafka-protocol.js';

describe('KafkaJS protocol versions against this broker', () => {
  it('negotiates a supported version for every API KafkaJS implements', async () => {
    const broker = infra().kafkaBrokers.split(',')[0]!;
    const rows = await negotiateApiVersions(broker);
    console.log(`\nKafkaJS ↔ ${broker}\n${renderNegotiation(rows)}`);
    // The APIs the connector calls: produce, consume in a group, commit, admin (topics, configs, offsets, groups).
    const used = [
      'Produce',
      'Fetch',
      'ListOffsets',
      'Metadata',
      'OffsetCommit',
      'OffsetFetch',
      'GroupCoordinator',
      'JoinGroup',
      'Heartbeat',
      'LeaveGroup',
      'SyncGroup',
      'DescribeGroups',
      'ApiVersions',
      'CreateTopics',
      'DescribeConfigs',
      'CreatePartitions',
      'DeleteGroups',
      'SaslHandshake',
      'SaslAuthenticate',
    ];
    expect(rows.filter((r) => used.includes(r.api)).map((r) => r.api)).toEqual(expect.arrayContaining(used));
    expect(rows.filter((r) => !r.ok).map((r) => `${r.api}: ${renderNegotiation([r])}`)).toEqual([]);
  });
});
