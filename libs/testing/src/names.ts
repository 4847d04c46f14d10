import { randomBytes } from 'node:crypto';

export interface TestNamespace {
  /** Unique per call: use it in every topic, group and key of one test. */
  id: string;
  topicPrefix: string;
  keyPrefix: string;
  groupId(name: string): string;
}

export function testNamespace(label: string): TestNamespace {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 30);
  const id = `t-${safe}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  return { id, topicPrefix: `${id}.`, keyPrefix: `${id}:`, groupId: (name) => `${id}-${name}` };
}
