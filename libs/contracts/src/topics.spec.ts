import { TOPIC_KEYS, TOPICS, topicConfigEntries, topicName, topicNames } from './topics';

describe('topics', () => {
  it('prefixes every name, shadow. by default in the design', () => {
    expect(topicName('shadow.', 'audit')).toBe('shadow.audit');
    expect(Object.values(topicNames('t1.'))).toEqual(TOPIC_KEYS.map((k) => `t1.${TOPICS[k].suffix}`));
  });

  it('refuses a prefix Kafka would not accept', () => {
    expect(() => topicName('bad prefix/', 'pairs')).toThrow(/prefix/);
  });

  it('compacts exactly the experiments, audit and corpus topics', () => {
    const compacted = TOPIC_KEYS.filter((k) => topicConfigEntries(TOPICS[k])['cleanup.policy'] === 'compact');
    expect(compacted.sort()).toEqual(['audit', 'corpus', 'experiments']);
  });

  it('gives delete topics a retention and compacted ones none', () => {
    for (const k of TOPIC_KEYS) {
      const entries = topicConfigEntries(TOPICS[k]);
      expect('retention.ms' in entries).toBe(entries['cleanup.policy'] === 'delete');
    }
  });
});
