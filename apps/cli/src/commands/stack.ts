import { type Command } from 'commander';
import { parseRedisClusterStackAnswer, parseSecureStackAnswer } from '@penumbra/config';
import { describeError } from '@penumbra/errors';
import { runStackScript, stackUp } from '../local-stack';
import { type Output } from '../output';

export function registerStack(program: Command, out: Output): void {
  const stack = program
    .command('stack')
    .description('Local Kafka (KRaft, one broker or three, fetched through Maven) and Redis (one server or a three-master cluster) for development and the demo')
    .addHelpText('after', '\nSet KAFKA_BROKERS or REDIS_URL to use existing servers instead; up and down then leave them alone.');

  stack
    .command('up')
    .description('start Kafka and Redis, or reuse the ones already running, and wait until they answer')
    .option('--secure', 'Kafka with SASL/SCRAM, an authorizer and one principal per service with its ACLs (for TOPIC_PREFIX and KAFKA_GROUP_PREFIX)')
    .option('--brokers <n>', 'Kafka brokers: 1, or 3 for a local KRaft cluster (topics then get replication factor 3, min.insync.replicas=2)', '1')
    .option('--redis-cluster', 'a local three-master Redis Cluster instead of one redis-server (services then need REDIS_CLUSTER_NODES)')
    .action(async (opts: { secure?: boolean; brokers: string; redisCluster?: boolean }) => {
      const brokers = Number(opts.brokers);
      if (brokers !== 1 && brokers !== 3) return out.fail(`--brokers takes 1 or 3 (got ${opts.brokers})`);
      if (brokers === 3 && opts.secure) return out.fail('--secure runs on the single broker only');
      const kafka = await stackUp('kafka', { secure: opts.secure === true, brokers });
      if (kafka.code !== 0) return out.fail('Kafka did not start (see above)');
      const redis = await stackUp('redis', { cluster: opts.redisCluster === true });
      if (redis.code !== 0) return out.fail('Redis did not start (see above)');
      if (opts.redisCluster) {
        try {
          out.line(`stack ready: KAFKA_BROKERS=${kafka.address} REDIS_CLUSTER_NODES=${parseRedisClusterStackAnswer(redis.stdout)}`);
        } catch (err) {
          return out.fail(describeError(err));
        }
      } else out.line(`stack ready: KAFKA_BROKERS=${kafka.address} REDIS_URL=${redis.address}`);
      if (!opts.secure) return;
      try {
        const sasl = parseSecureStackAnswer(kafka.stdout);
        out.line(`Kafka requires SASL: KAFKA_SASL_MECHANISM=${sasl.mechanism}, KAFKA_SASL_USERNAME=<principal>, KAFKA_SASL_PASSWORD=<its password>`);
        out.line(`the passwords of the super user and of every principal are in ${sasl.credentialsFile} (readable by you only)`);
      } catch (err) {
        return out.fail(describeError(err));
      }
    });

  stack
    .command('down')
    .description('stop the Kafka and Redis this project started, clusters included (never external ones)')
    .action(async () => {
      await runStackScript('kafka', 'down');
      await runStackScript('redis', 'down');
    });

  stack
    .command('status')
    .description('whether Kafka and Redis answer, and whether this project manages them')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const [kafka, redis] = await Promise.all([runStackScript('kafka', 'status', { quiet: true }), runStackScript('redis', 'status', { quiet: true })]);
      const status = {
        kafka: JSON.parse(kafka.stdout) as { brokers: string; managed: boolean; reachable: boolean },
        redis: JSON.parse(redis.stdout) as { url: string; managed: boolean; reachable: boolean },
      };
      if (opts.json) out.json(status);
      else {
        out.table(
          ['component', 'address', 'reachable', 'managed here'],
          [
            ['kafka', status.kafka.brokers, status.kafka.reachable ? 'yes' : 'no', status.kafka.managed ? 'yes' : 'no'],
            ['redis', status.redis.url, status.redis.reachable ? 'yes' : 'no', status.redis.managed ? 'yes' : 'no'],
          ],
        );
      }
      if (!status.kafka.reachable || !status.redis.reachable) process.exitCode = 1;
    });
}
