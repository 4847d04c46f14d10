import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { experimentRecordSchema, experimentSpecSchema, operatorSignerFromJson, signExperimentRecord, topicNames } from '@penumbra/contracts';
import { createKafkaClient, encodeEvent } from '@penumbra/kafka';
import { JsonLogger } from '@penumbra/observability';
import { Adaptive, CommandFollower, Experiment, PairPublisher, adaptiveTarget, loadSigningKey, loadTrustedKeys } from '@penumbra/sdk';
import { experimentSpec } from './experiment-spec';
import { CURRENT_POLICY, HitLog, PROPOSED_POLICY, type RateLimitPolicy } from './rate-limit-policy';
import { rateLimitHandler } from './service';

async function main(): Promise<void> {
  const env = process.env;
  const experimentId = env.EXPERIMENT_ID ?? 'rate-limit-v2';
  const topics = topicNames(env.TOPIC_PREFIX ?? 'shadow.');
  const logger = new JsonLogger({ service: 'rate-limit-shadow' }, 'info');
  const client = createKafkaClient(
    { brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'rate-limit-shadow', connectionTimeoutMs: 10_000, ssl: false, sasl: null },
    logger,
  );
  const producer = await client.producer();

  if (env.PUBLISH_EXPERIMENT !== 'false') {
    const spec = experimentSpecSchema.parse(experimentSpec(experimentId));
    // Every service refuses an experiment no operator signed: `npx penumbra fleet start` writes a local operator key.
    const signer = operatorSignerFromJson(JSON.parse(readFileSync(env.PENUMBRA_OPERATOR_KEY_FILE ?? '.penumbra/fleet/operator-key.json', 'utf8')));
    const record = signExperimentRecord({ type: 'experiment.v1', id: `exp-${experimentId}-${Date.now()}`, ts: Date.now(), experimentId, actor: signer.operator, spec }, signer);
    await producer.send([encodeEvent(experimentRecordSchema, record, topics.experiments, experimentId)]);
    logger.info('experiment published', { experimentId });
  }

  const policy = new Adaptive<RateLimitPolicy>(CURRENT_POLICY, PROPOSED_POLICY);
  const publisher = new PairPublisher({ producer, topic: topics.pairs, logger });
  const experiment = new Experiment({ experimentId, sink: publisher, sampleRate: Number(env.SAMPLE_RATE ?? '1'), timeoutMs: 50, maxInFlight: 64 });
  const follower = new CommandFollower({
    client,
    producer,
    topics,
    experimentId,
    target: adaptiveTarget(policy, experiment),
    appliedBy: `rate-limit-shadow:${hostname()}:${process.pid}`,
    // The sentinel's public keys: `npx penumbra fleet start` writes them to .penumbra/fleet/command-keys.json.
    trustedKeys: loadTrustedKeys(env.PENUMBRA_COMMAND_KEYS_FILE ?? '.penumbra/fleet/command-keys.json'),
    // This service's own key for its acks; the fleet trusts .penumbra/fleet/applier/command-keys.json.
    ackKey: loadSigningKey(env.PENUMBRA_APPLIER_KEY_FILE ?? '.penumbra/fleet/applier/command-signing-key.json'),
    logger,
  });
  await follower.start();

  const server = createServer(rateLimitHandler({ policy, experiment, hits: new HitLog() }));
  const port = Number(env.PORT ?? '8080');
  server.listen(port, '127.0.0.1', () => logger.info('listening', { url: `http://127.0.0.1:${port}`, experimentId }));

  const stop = async (): Promise<void> => {
    server.close();
    await follower.stop();
    await publisher.close();
    await producer.disconnect();
    logger.info('stopped', { pairs: publisher.counters(), commands: follower.counters() });
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`rate-limit-shadow failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
