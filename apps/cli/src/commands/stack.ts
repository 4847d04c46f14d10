import { type Command } from 'commander';
import { parseSecureStackAnswer } from '@penumbra/config';
import { describeError } from '@penumbra/errors';
import { runStackScript, stackUp } from '../local-stack';
import { type Output } from '../output';

export function registerStack(program: Command, out: Output): void {
  const stack = program
    .command('stack')
    .description('Local Kafka (single-node KRaft, fetched through Maven) and Redis for development and the demo')
    .addHelpText('after', '\nSet KAFKA_BROKERS or REDIS_URL to use existing servers instead; up and down then leave them alone.');

  stack
    .command('up')
    .description('start Kafka and Redis, or reuse the ones already running, and wait until they answer')
    .option('--secure', 'Kafka with SASL/SCRAM, an authorizer and one principal per service with its ACLs (for TOPIC_PREFIX and KAFKA_GROUP_PREFIX)')
    .action(async (opts: { secure?: boolean }) => {
      const kafka = await stackUp('kafka', { secure: opts.secure === true });
      if (kafka.code !== 0) return out.fail('Kafka did not start (see above)');
      const redis = await stackUp('redis');
      if (redis.code !== 0) return out.fail('Redis did not start (see above)');
      out.line(`stack ready: KAFKA_BROKERS=${kafka.address} REDIS_URL=${redis.address}`);
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
    .description('stop the Kafka and Redis this project started (never external ones)')
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
