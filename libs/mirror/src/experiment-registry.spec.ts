import { experimentRecordSchema } from '@penumbra/contracts';
import { parseDestinationPolicy } from '@penumbra/mirror-core';
import { ExperimentRegistry } from './experiment-registry';

const record = (halted?: { at: number; reason: string; commandId: string }) =>
  experimentRecordSchema.parse({
    type: 'experiment.v1',
    id: halted ? 'halt' : 'apply',
    ts: 1,
    experimentId: 'e',
    actor: 'a',
    spec: { id: 'e', target: { service: 's' }, shadow: { candidate: { baseUrl: 'http://candidate.internal:8080' } }, policy: { stages: [{ name: 'x' }] } },
    ...(halted ? { halted } : {}),
  });

describe('ExperimentRegistry', () => {
  it('stops mirroring an experiment the sentinel halted, and starts again when it is applied anew', () => {
    const registry = new ExperimentRegistry();
    registry.upsert(record());
    expect(registry.get('e')).toBeDefined();
    registry.upsert(record({ at: 2, reason: 'kill by ana: incident', commandId: 'e:*:canary->killed:v3' }));
    expect(registry.get('e')).toBeUndefined();
    expect(registry.list()).toEqual([]);
    registry.upsert(record());
    expect(registry.get('e')).toBeDefined();
  });

  it('never mirrors an experiment whose candidate or secondary is a refused destination, and says why', () => {
    const refusals: string[] = [];
    const registry = new ExperimentRegistry({ onRefused: (id, reason) => refusals.push(`${id}: ${reason}`) });
    const spec = (candidate: string, secondary?: string) =>
      experimentRecordSchema.parse({
        type: 'experiment.v1',
        id: 'apply',
        ts: 1,
        experimentId: 'e',
        actor: 'mallory',
        spec: {
          id: 'e',
          target: { service: 's' },
          shadow: { candidate: { baseUrl: candidate }, ...(secondary ? { secondary: { baseUrl: secondary } } : {}) },
          policy: { stages: [{ name: 'x' }] },
        },
      });
    registry.upsert(spec('http://candidate.internal:8080'));
    expect(registry.get('e')).toBeDefined();
    registry.upsert(spec('http://169.254.169.254/'));
    expect(registry.get('e')).toBeUndefined();
    registry.upsert(spec('http://candidate.internal:8080', 'http://127.0.0.1:9000'));
    expect(registry.get('e')).toBeUndefined();
    expect(refusals).toEqual([
      expect.stringMatching(/^e: candidate http:\/\/169\.254\.169\.254 is a loopback, link-local or metadata address/),
      expect.stringMatching(/^e: secondary http:\/\/127\.0\.0\.1:9000/),
    ]);
    expect([...registry.refused().keys()]).toEqual(['e']);

    const listed = new ExperimentRegistry({ destinations: parseDestinationPolicy(['127.0.0.1/32']) });
    listed.upsert(spec('http://127.0.0.1:8080'));
    expect(listed.get('e')).toBeDefined();
  });
});
