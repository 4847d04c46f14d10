import { experimentRecordSchema } from '@penumbra/contracts';
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
});
