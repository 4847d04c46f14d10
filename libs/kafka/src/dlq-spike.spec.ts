import { alertSchema } from '@penumbra/contracts';
import { DlqSpikeDetector } from './dlq-spike';

const many = (topic: string, n: number) => Array.from({ length: n }, () => topic);

describe('DlqSpikeDetector', () => {
  it('alerts once when a topic reaches the threshold within the window, then again only after a window', () => {
    const d = new DlqSpikeDetector({ threshold: 10, windowMs: 60_000 }, 'penumbra.comparator');
    expect(d.record(many('pairs', 9), 1_000)).toEqual([]);
    const [alert, ...rest] = d.record(many('pairs', 1), 2_000);
    expect(rest).toEqual([]);
    expect(alertSchema.parse(alert)).toMatchObject({ kind: 'dlq-spike', source: 'penumbra.comparator', details: { topic: 'pairs', count: 10, threshold: 10 } });
    expect(d.record(many('pairs', 50), 30_000)).toEqual([]);
    expect(d.record(many('pairs', 10), 62_000)).toHaveLength(1);
  });

  it('keeps topics apart and forgets a rate that spread over more than the window', () => {
    const d = new DlqSpikeDetector({ threshold: 10, windowMs: 1_000 }, 'g');
    expect(d.record([...many('a', 5), ...many('b', 5)], 0)).toEqual([]);
    expect(d.record(many('a', 5), 2_500)).toEqual([]);
    expect(d.record(many('b', 5), 900).map((a) => a.details['topic'])).toEqual(['b']);
  });

  it('weighs the previous window by how much of it the sliding window still covers', () => {
    const d = new DlqSpikeDetector({ threshold: 10, windowMs: 1_000 }, 'g');
    expect(d.record(many('a', 8), 900)).toEqual([]);
    expect(d.record(many('a', 4), 1_100)).toHaveLength(1);
  });

  it('never alerts with a threshold of 0', () => {
    expect(new DlqSpikeDetector({ threshold: 0, windowMs: 1_000 }, 'g').record(many('a', 1_000), 0)).toEqual([]);
  });
});
