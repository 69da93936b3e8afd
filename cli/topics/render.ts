/** What `topics create` and `topics describe` print (pure). */
import { dash, formatDuration, table } from '../format.js';
import type { TopicAction, TopicChanges } from './plan.js';
import type { TopicReport, TopicsReport } from './report.js';

function describeConfig(configs: Record<string, string>): string {
  const retention = configs['retention.ms'];
  return `retention ${retention === undefined ? '-' : formatDuration(Number(retention))}`;
}

function actionRow(a: TopicAction, dryRun: boolean): string[] {
  const d = a.desired;
  switch (a.action) {
    case 'create':
      return [
        dryRun ? 'would create' : 'created',
        d.kind,
        d.topic,
        `${d.partitions} partitions, rf ${d.replicationFactor}, ${describeConfig(d.configs)}`,
      ];
    case 'grow':
      return [dryRun ? 'would grow' : 'grown', d.kind, d.topic, `${a.found.partitions} → ${d.partitions} partitions`];
    case 'exists':
      return [
        'exists',
        d.kind,
        d.topic,
        `${a.found.partitions} partitions, rf ${a.found.replicationFactor}, ${describeConfig(a.found.configs)}`,
      ];
  }
}

/** The action table, the notes and the summary line. */
export function renderCreate(changes: TopicChanges, dryRun: boolean): string {
  const lines = [
    table(
      ['action', 'kind', 'topic', 'details'],
      changes.actions.map((a) => actionRow(a, dryRun)),
      100,
    ),
  ];
  for (const note of changes.notes) lines.push(`note: ${note}`);
  const total = changes.actions.length;
  const created = changes.actions.filter((a) => a.action === 'create').length;
  const grown = changes.actions.filter((a) => a.action === 'grow').length;
  const changed = created + grown;
  if (changed === 0) lines.push(`No changes: all ${total} topics exist.`);
  else
    lines.push(
      `${dryRun ? 'Dry run, nothing changed: would create' : 'Created'} ${created}, ` +
        `${dryRun ? 'would grow' : 'grew'} ${grown}, unchanged ${total - changed} of ${total} topics.`,
    );
  return lines.join('\n');
}

export function renderDescribe(report: TopicsReport): string {
  const { group } = report;
  const lines = [
    group.exists
      ? `consumer group ${group.groupId}: state ${group.state}, ${group.members} member(s)`
      : `consumer group ${group.groupId}: does not exist (no lag shown)`,
  ];
  for (const topic of report.topics) lines.push('', ...renderTopic(topic));
  return lines.join('\n');
}

function renderTopic(r: TopicReport): string[] {
  if (!r.exists) return [`${r.topic} (${r.kind}): MISSING — create it with \`fc-connector topics create\``];
  const cfg = r.configs ?? {};
  const retention = cfg['retention.ms'] ? formatDuration(Number(cfg['retention.ms'])) : '-';
  return [
    `${r.topic} (${r.kind}): ${r.partitions} partitions, rf ${r.replicationFactor}, retention ${retention}, ` +
      `cleanup.policy ${dash(cfg['cleanup.policy'])}, min.insync.replicas ${dash(cfg['min.insync.replicas'])}; ` +
      `${r.messages} messages${r.lag !== null ? `, lag ${r.lag}` : ''}`,
    table(
      ['partition', 'leader', 'replicas', 'isr', 'start', 'end', 'committed', 'lag'],
      (r.partitionDetails ?? []).map((p) => [
        String(p.partition),
        String(p.leader),
        p.replicas.join(','),
        p.isr.join(','),
        p.start,
        p.end,
        dash(p.committed),
        dash(p.lag),
      ]),
    ).replace(/^/gm, '  '),
  ];
}
