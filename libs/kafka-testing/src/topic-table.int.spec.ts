import { type ExperimentRecord, experimentRecordSchema, experimentSpecSchema } from '@penumbra/contracts';
import { TopicTable, encodeEvent } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { waitFor } from '@penumbra/testing';
import { publishExperiments } from './experiments';
import { type TestKafka, createTestKafka } from './test-kafka';

jest.setTimeout(120_000);

describe('TopicTable on the real broker', () => {
  let kafka: TestKafka;
  let table: TopicTable<ExperimentRecord> | undefined;

  beforeAll(async () => {
    kafka = await createTestKafka('table');
    await kafka.provision();
  });

  afterAll(async () => {
    await table?.stop();
    await kafka.close();
  });

  it("refuses a record whose key names another row than its body's id, keeping the real value", async () => {
    const spec = (id: string, baseUrl: string) =>
      experimentSpecSchema.parse({ id, target: { service: 'orders' }, shadow: { candidate: { baseUrl } }, policy: { stages: [{ name: 'shadow' }] } });
    await publishExperiments(kafka, [{ ...spec('e', 'http://candidate.internal:8080') }]);
    const invalid: string[] = [];
    const changes: string[] = [];
    table = new TopicTable<ExperimentRecord>({
      client: kafka.client,
      topic: kafka.topics.experiments,
      schema: experimentRecordSchema,
      keyOf: (r) => r.experimentId,
      groupPrefix: kafka.ns.groupId('table'),
      logger: silentLogger,
      onChange: (key) => changes.push(key),
      onInvalid: (reason) => invalid.push(reason),
    });
    await table.start();
    expect(table.get('e')?.spec.shadow.candidate.baseUrl).toBe('http://candidate.internal:8080');

    const forged = { type: 'experiment.v1' as const, id: 'exp-forged', ts: Date.now(), experimentId: 'e', actor: 'mallory', spec: spec('e', 'http://169.254.169.254/') };
    await kafka.send([encodeEvent(experimentRecordSchema, forged, kafka.topics.experiments, 'x')]);
    await waitFor(() => invalid.length === 1, { what: 'the forged record to be refused' });
    expect(invalid[0]).toMatch(/key "x" does not match the value's "e"/);
    expect(table.get('x')).toBeUndefined();
    expect(table.get('e')?.spec.shadow.candidate.baseUrl).toBe('http://candidate.internal:8080');
    expect(changes).toEqual(['e']);
  });
});
