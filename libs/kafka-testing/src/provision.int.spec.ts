import { TOPIC_KEYS } from '@penumbra/contracts';
import { type TestKafka, createTestKafka } from './test-kafka';

jest.setTimeout(120_000);

describe('provisionTopics on the real broker', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('provision');
  });

  afterAll(async () => {
    await kafka.close();
  });

  it('creates every topic, and a second run changes nothing', async () => {
    const first = await kafka.provision();
    expect(first.created.sort()).toEqual(Object.values(kafka.topics).sort());
    const second = await kafka.provision();
    expect(second).toEqual({ created: [], updated: [], unchanged: expect.arrayContaining(Object.values(kafka.topics)), warnings: [] });
    expect(second.unchanged).toHaveLength(TOPIC_KEYS.length);
  });

  it('reads the audit, experiments and corpus topics back as compacted, and the rest as delete with retention', async () => {
    const described = await kafka.admin.describeTopics(Object.values(kafka.topics));
    const policy = Object.fromEntries(described.map((d) => [d.name, d.configs['cleanup.policy']]));
    expect(policy[kafka.topics.audit]).toBe('compact');
    expect(policy[kafka.topics.experiments]).toBe('compact');
    expect(policy[kafka.topics.corpus]).toBe('compact');
    expect(policy[kafka.topics.pairs]).toBe('delete');
    expect(described.find((d) => d.name === kafka.topics.diffs)?.configs['retention.ms']).toBe(String(14 * 24 * 3_600_000));
  });

  it('repairs config drift and reports what it changed', async () => {
    await kafka.admin.setTopicConfigs(kafka.topics.alerts, { 'cleanup.policy': 'delete', 'retention.ms': '1000' });
    const report = await kafka.provision();
    expect(report.updated).toEqual([{ topic: kafka.topics.alerts, changed: { 'retention.ms': { from: '1000', to: String(30 * 24 * 3_600_000) } } }]);
    expect((await kafka.provision()).updated).toEqual([]);
  });

  it('warns about a partition count it will not change', async () => {
    const report = await kafka.provision({ pairs: { partitions: 3 } });
    expect(report.warnings).toEqual([expect.stringMatching(/pairs has 1 partitions, the design wants 3/)]);
  });
});
