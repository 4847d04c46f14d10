import { type Command } from 'commander';
import { createKafkaClient, kafkaConnectionFromEnv, provisionTopics } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { cliEnv } from '../cli-env';
import { stackUp } from '../local-stack';
import { type Output } from '../output';

export function registerUp(program: Command, out: Output): void {
  program
    .command('up')
    .description('bring up the local stack (Kafka and Redis) and provision every topic: the first step of the main job')
    .action(async () => {
      out.line('[1/3] Kafka');
      const kafka = await stackUp('kafka');
      if (kafka.code !== 0) return out.fail('Kafka did not start (see above)', 'Java 17+ and Maven are needed: apt-get install -y openjdk-17-jre-headless maven');
      out.line('[2/3] Redis');
      const redis = await stackUp('redis');
      if (redis.code !== 0) return out.fail('Redis did not start (see above)', 'apt-get install -y redis-server, or set REDIS_URL');
      process.env['KAFKA_BROKERS'] ??= kafka.address;
      out.line('[3/3] topics');
      const env = cliEnv();
      const admin = await createKafkaClient(kafkaConnectionFromEnv(env, 'penumbra-cli'), silentLogger).admin();
      try {
        const report = await provisionTopics(admin, { prefix: env.TOPIC_PREFIX });
        out.line(`      ${report.created.length} created, ${report.updated.length} repaired, ${report.unchanged.length} already right`);
      } finally {
        await admin.disconnect();
      }
      out.line('');
      out.line(`Penumbra's stack is up: Kafka at ${kafka.address}, Redis at ${redis.address}, topics under "${env.TOPIC_PREFIX}".`);
      out.line('Next: npx penumbra fleet start (the five services), or npm start (the whole demo).');
      out.line('Stop it with: npx penumbra stack down');
    });
}
