import { type Command } from 'commander';
import { DEMO_SCENARIOS, type DemoOutput, type DemoScenario, runDemo } from '@penumbra/demo';
import { createKafkaClient, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { createRedis, redisConnectionFromEnv } from '@penumbra/redis';
import { cliEnv } from '../cli-env';
import { repoRoot, stackUp } from '../local-stack';
import { type Output } from '../output';

function terminalOutput(out: Output, json: boolean): DemoOutput {
  const tty = process.stdout.isTTY && !json;
  let lastPrinted = 0;
  return {
    line: (text) => (json ? process.stderr.write(`${text}\n`) : out.line(text)),
    progress: (text) => out.progress(`· ${text}`),
    view: (lines) => {
      if (tty) {
        process.stdout.write(`\x1b[2J\x1b[H${lines.join('\n')}\n`);
        return;
      }
      if (Date.now() - lastPrinted < 5_000) return;
      lastPrinted = Date.now();
      const why = lines.find((l) => l.trim().startsWith('why:')) ?? lines[lines.length - 1] ?? '';
      process.stderr.write(`${lines[0] ?? ''} · ${why.trim()}\n`);
    },
  };
}

export function registerDemo(program: Command, out: Output): void {
  program
    .command('demo')
    .description('the whole loop on this machine: stack, fleet, a shop API three times, captured traffic, and a real promote or rollback')
    .option(
      '--scenario <name>',
      `regression (the candidate has a bug), clean (only volatile fields differ), slow (p99 40% higher) or replay (a low-traffic service: the buggy candidate is judged on retained traffic replayed from Kafka)`,
      'regression',
    )
    .option('--until-decision', 'stop everything and exit 0 once the sentinel has decided')
    .option('--json', 'print the result as one JSON object on the last line')
    .option('--rate <n>', 'production requests per second', '150')
    .action(async (opts: { scenario: string; untilDecision?: boolean; json?: boolean; rate: string }) => {
      if (!(DEMO_SCENARIOS as readonly string[]).includes(opts.scenario)) return out.fail(`unknown scenario "${opts.scenario}"`, `use one of: ${DEMO_SCENARIOS.join(', ')}`);
      const json = opts.json === true;
      const report = (text: string) => out.progress(`· ${text}`);
      if (process.env['KAFKA_BROKERS'] === undefined) {
        report('starting or reusing the local Kafka');
        const kafka = await stackUp('kafka');
        if (kafka.code !== 0) return out.fail(`Kafka did not start:\n${kafka.stderr.trim()}`, 'Java 17+ and Maven are needed (tools/bootstrap.sh installs them)');
        process.env['KAFKA_BROKERS'] = kafka.address;
      }
      if (process.env['REDIS_URL'] === undefined) {
        report('starting or reusing the local Redis');
        const redis = await stackUp('redis');
        if (redis.code !== 0) return out.fail(`Redis did not start:\n${redis.stderr.trim()}`, 'apt-get install -y redis-server, or set REDIS_URL');
        process.env['REDIS_URL'] = redis.address;
      }
      const env = cliEnv();
      const connection = kafkaConnectionFromEnv(env, 'penumbra-demo');
      const redis = createRedis(redisConnectionFromEnv(env, 'penumbra-demo'));
      await redis.connect();
      try {
        const result = await runDemo({
          root: repoRoot(),
          scenario: opts.scenario as DemoScenario,
          brokers: env.KAFKA_BROKERS,
          redisUrl: env.REDIS_URL,
          kafka: createKafkaClient(connection, silentLogger),
          log: createTransactionalKafka(connection, silentLogger),
          redis,
          out: terminalOutput(out, json),
          ratePerSec: Number(opts.rate),
          ...(opts.untilDecision
            ? {}
            : {
                holdAfterDecision: () => {
                  out.line('');
                  out.line('The fleet keeps running so that you can look around (penumbra status, report, audit with the prefixes above). Ctrl-C stops it.');
                  return new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
                },
              }),
        });
        if (json) out.line(JSON.stringify(result));
      } finally {
        redis.disconnect();
      }
    });
}
