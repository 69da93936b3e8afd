import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../../schemas/index.js';
import { planReplay } from '../../../../cli/replay/plan.js';
import { newCheckpoint } from '../../../../cli/replay/positions.js';
import {
  interruptedMessage,
  renderAlreadyComplete,
  renderComplete,
  renderDryRun,
  renderHeader,
  renderInterrupted,
  renderNothingToReplay,
  renderSkipped,
  renderStart,
} from '../../../../cli/replay/render.js';
import type { RecordSummary } from '../../../../cli/records.js';

const plan = planReplay(
  { id: 'fix', stateDir: 'st' },
  { topics: topicNames('fluent.webhooks', 1), stateDir: '.fc-connector', cwd: '/w' },
);
const checkpoint = { ...newCheckpoint(plan, [], 0), replayed: 5, updatedAt: '2024-05-01T10:00:00.000Z' };

const summary = (partition: number, offset: string, key: string): RecordSummary => ({
  partition,
  offset,
  key,
  timestamp: Date.UTC(2024, 4, 1, 10),
  messageName: 'order-status',
  eventId: 'evt',
  errorClass: 'CONFIGURATION',
  errorMessage: null,
  attempts: 1,
  failedAt: null,
  handler: null,
  originalTopic: null,
  originalPartition: null,
  originalOffset: null,
});

describe('replay rendering', () => {
  it('heads a fresh, a resumed and a forced replay', () => {
    const fresh = renderHeader(plan, 'fresh', 8);
    expect(fresh).toBe('Replay fix: fluent.webhooks.dlq → fluent.webhooks, 8 record(s) to scan');
    expect(renderStart(fresh, plan, 'fresh', checkpoint)).toBe(`${fresh}; checkpoint /w/st/replay-fix.json`);
    const resumed = renderHeader(plan, 'resume', 3);
    expect(resumed).toMatch(/^Resuming replay fix:/);
    expect(renderStart(resumed, plan, 'resume', checkpoint)).toContain('(5 already replayed); checkpoint');
    expect(renderHeader(plan, 'again', 3)).toMatch(/^Replaying again fix:/);
  });

  it('names the offsets skipped because the source no longer has them, and an empty rest', () => {
    expect(renderSkipped(plan, [{ partition: 2, from: 10n, to: 40n }])).toBe(
      'Partition 2: offsets 10–39 (30) are no longer in fluent.webhooks.dlq (deleted by retention since the replay ' +
        'was planned); skipped.',
    );
    expect(renderNothingToReplay(plan, 'fresh')).toBe('Nothing to replay: the selection is empty.');
    expect(renderNothingToReplay(plan, 'resume')).toBe('Nothing left to replay: replay fix is complete.');
  });

  it('says how to resume an interrupted replay', () => {
    const text = renderInterrupted(plan, { result: 'interrupted', scanned: 4, replayed: 2, seconds: 1 }, checkpoint);
    expect(text).toContain('Interrupted: 2 record(s) replayed in this run (5 in total)');
    expect(text).toContain('Resume with: fc-connector replay --id fix --state-dir st   (or run the same command again');
    expect(interruptedMessage(plan)).toBe(
      'replay fix interrupted; resume with `fc-connector replay --id fix --state-dir st`',
    );
  });

  it('reports a completed and an already completed replay', () => {
    expect(renderComplete(plan, { result: 'complete', scanned: 10, replayed: 4, seconds: 2 })).toBe(
      'Replayed 4 of 10 scanned record(s) from fluent.webhooks.dlq to fluent.webhooks in 2.0 s (5 rec/s). ' +
        'Replay fix is complete; running it again does nothing unless --force.',
    );
    expect(renderAlreadyComplete(plan, checkpoint)).toBe(
      'Replay fix already completed (5 record(s) from fluent.webhooks.dlq to fluent.webhooks, finished ' +
        '2024-05-01T10:00:00.000Z). Nothing to do.\nRun with --force to replay the same records again (the offsets ' +
        'frozen at 1970-01-01T00:00:00.000Z); records written since need a replay with another --id.',
    );
  });

  it('shows a dry run as a sample table and counts per partition', () => {
    const text = renderDryRun('Replay fix: a → b, 3 record(s) to scan', plan, {
      result: 'complete',
      scanned: 3,
      perPartition: new Map([
        [1, 1],
        [0, 1],
      ]),
      samples: [summary(0, '4', 'O_1'), summary(1, '9', 'O_2')],
    });
    expect(text.split('\n')).toEqual([
      'Replay fix: a → b, 3 record(s) to scan (dry run: nothing is produced, no checkpoint written)',
      'position  key  name          event id  error class    timestamp',
      '0:4       O_1  order-status  evt       CONFIGURATION  2024-05-01T10:00:00.000Z',
      '1:9       O_2  order-status  evt       CONFIGURATION  2024-05-01T10:00:00.000Z',
      'Would replay 2 of 3 scanned record(s) from fluent.webhooks.dlq to fluent.webhooks (p0=1 p1=1).',
    ]);
    const empty = renderDryRun('h', plan, { result: 'complete', scanned: 0, perPartition: new Map(), samples: [] });
    expect(empty).toBe(
      'h (dry run: nothing is produced, no checkpoint written)\nWould replay 0 of 0 scanned record(s) from ' +
        'fluent.webhooks.dlq to fluent.webhooks.',
    );
  });
});
