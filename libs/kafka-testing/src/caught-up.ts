import { type AdminPort } from '@penumbra/kafka';
import { waitFor } from '@penumbra/testing';

/**
 * Waits until `groupId` has committed every record on `topics` up to each partition's high-water
 * mark. The services commit only after their output is durable, so afterwards nothing they were
 * given can still change what a test reads: a negative assertion needs no quiet window.
 */
export async function waitForGroupCaughtUp(admin: AdminPort, groupId: () => Promise<string> | string, topics: string[], timeoutMs = 60_000): Promise<void> {
  let behind = '';
  await waitFor(
    async () => {
      const group = await groupId();
      const lag: string[] = [];
      for (const topic of topics) {
        const committed = new Map((await admin.groupOffsets(group, topic)).map((o) => [o.partition, BigInt(o.offset)]));
        for (const p of await admin.topicOffsets(topic)) {
          const at = committed.get(p.partition) ?? -1n;
          const high = BigInt(p.high);
          if (high > BigInt(p.low) && at < high) lag.push(`${topic}[${p.partition}] at ${at} of ${high}`);
        }
      }
      behind = `${group}: ${lag.join(', ')}`;
      return lag.length === 0;
    },
    { timeoutMs, intervalMs: 100, what: () => `the group to commit everything (${behind})` },
  );
}
