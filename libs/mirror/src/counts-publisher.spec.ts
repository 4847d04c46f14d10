import { metricObservationSchema } from '@penumbra/contracts';
import { type OutgoingMessage } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { CountsPublisher } from './counts-publisher';
import { MirrorCounts } from './mirror-counts';

describe('CountsPublisher', () => {
  it('publishes the last counts on stop, as metric observations keyed by experiment', async () => {
    const sent: OutgoingMessage[] = [];
    const counts = new MirrorCounts('i1');
    const publisher = new CountsPublisher({
      counts,
      producer: { send: async (m) => void sent.push(...m) },
      topic: 'p.metrics',
      intervalMs: 3_600_000,
      logger: silentLogger,
      clock: () => 5,
    });
    counts.matched('e');
    await publisher.stop();
    expect(new Set(sent.map((m) => `${m.topic} ${String(m.key)}`))).toEqual(new Set(['p.metrics e']));
    const observations = sent.map((m) => metricObservationSchema.parse(JSON.parse(String(m.value))));
    expect(observations.find((o) => o.name === 'mirror_matched')).toMatchObject({ value: 1, ts: 5 });
  });

  it('keeps publishing after a failed send, sending nothing when nothing was counted', async () => {
    const counts = new MirrorCounts('i1');
    let calls = 0;
    const publisher = new CountsPublisher({
      counts,
      producer: {
        send: async () => {
          calls += 1;
          if (calls === 1) throw new Error('broker down');
        },
      },
      topic: 'p.metrics',
      intervalMs: 3_600_000,
      logger: silentLogger,
    });
    counts.matched('e');
    await publisher.flush();
    await publisher.flush();
    counts.mirrored('e');
    await publisher.stop();
    expect(calls).toBe(2);
  });
});
