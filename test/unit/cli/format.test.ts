import { describe, expect, it } from 'vitest';
import { formatDuration, table } from '../../../cli/format.js';
import { createProgress } from '../../../cli/progress.js';

describe('cli output helpers', () => {
  it('aligns table columns and cuts long cells', () => {
    const text = table(
      ['a', 'long header'],
      [
        ['1', 'x'],
        ['22', 'y'.repeat(70)],
      ],
      10,
    );
    expect(text.split('\n')).toEqual(['a   long header', '1   x', `22  ${'y'.repeat(9)}…`]);
  });

  it('formats durations by their largest exact unit', () => {
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(7 * 86_400_000)).toBe('7d');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(-1)).toBe('infinite');
  });

  it('prints throttled plain progress lines when not on a terminal', () => {
    let t = 0;
    let out = '';
    const progress = createProgress(
      { write: (s: string) => (out += s), isTTY: false },
      {
        label: 'replay',
        total: 10,
        now: () => t,
        intervalMs: 1000,
      },
    );
    t = 1000;
    progress.update(4, 2);
    t = 1500;
    progress.update(6, 3); // throttled
    t = 2000;
    progress.stop();
    expect(out.trim().split('\n')).toEqual([
      'replay: scanned 4/10 (40%), replayed 2, 4 rec/s',
      'replay: scanned 6/10 (60%), replayed 3, 3 rec/s',
    ]);
  });
});
