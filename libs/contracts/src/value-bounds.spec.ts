import { diffEventSchema } from './diff';
import { metricObservationSchema } from './metric';

const metric = (value: number) => ({ type: 'metric.v1', id: 'm', ts: 1, experimentId: 'e', name: 'precision', value });
const diff = (latency: number) => ({
  type: 'diff.v1',
  id: 'e:t',
  ts: 1,
  experimentId: 'e',
  endpoint: 'GET /',
  outcome: 'match',
  statusMatch: true,
  status: { primary: 200 },
  latencyMs: { primary: 5, candidate: latency },
});

describe('values bounded at the schema', () => {
  it('refuses metric values whose window sums could leave the double range', () => {
    expect(metricObservationSchema.safeParse(metric(1.5e308)).success).toBe(false);
    expect(metricObservationSchema.safeParse(metric(-1e16)).success).toBe(false);
    expect(metricObservationSchema.safeParse(metric(1e15)).success).toBe(true);
  });

  it('refuses latencies over one hour', () => {
    expect(diffEventSchema.safeParse(diff(3_600_001)).success).toBe(false);
    expect(diffEventSchema.safeParse(diff(3_600_000)).success).toBe(true);
  });
});
