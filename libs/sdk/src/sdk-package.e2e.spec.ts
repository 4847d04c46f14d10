import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairSchema } from '@penumbra/contracts';
import { decodeRecord } from '@penumbra/kafka';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { findWorkspaceRoot } from '@penumbra/config';

jest.setTimeout(300_000);

const root = findWorkspaceRoot(__dirname);
const workspace = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

// A program as an application team would write it, against nothing but the installed package.
const PROGRAM = `
import { Adaptive, Experiment, PairPublisher, connectPenumbra } from '@penumbra/sdk';

interface Pricing { name: string; rate: number }

async function main(): Promise<void> {
  const connection = await connectPenumbra({ brokers: process.env['KAFKA_BROKERS']!.split(','), clientId: 'packed-sdk-consumer', topicPrefix: process.env['TOPIC_PREFIX']! });
  const pricing = new Adaptive<Pricing>({ name: 'v1', rate: 0.2 }, { name: 'v2', rate: 0.2 });
  const publisher = new PairPublisher({ producer: connection.producer, topic: connection.topics.pairs });
  const experiment = new Experiment({ experimentId: process.env['EXPERIMENT_ID']!, sink: publisher });
  const { primary, shadow } = pricing.sides();
  for (let i = 0; i < 20; i += 1) {
    const price: number = await experiment.run({
      control: () => 100 * primary.rate,
      candidate: shadow ? () => 100 * shadow.rate : undefined,
      trafficId: 'call-' + i,
      endpoint: 'pricing.quote',
    });
    if (price !== 20) throw new Error('the caller got ' + price);
  }
  await experiment.settle();
  await publisher.close();
  await connection.close();
  process.stdout.write(JSON.stringify(experiment.counters()) + '\\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + '\\n');
  process.exit(1);
});
`;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const res = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

describe('the packed SDK, installed outside the workspace', () => {
  const consumer = mkdtempSync(join(tmpdir(), 'penumbra-sdk-consumer-'));
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('sdkpack');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka?.close();
    rmSync(consumer, { recursive: true, force: true });
  });

  it('installs with its declared dependencies, type-checks a program using Experiment and Adaptive, and its pairs arrive', async () => {
    const tarball = run(process.execPath, [join(root, 'tools', 'build', 'pack-sdk.mjs')], root)
      .trim()
      .split('\n')
      .pop()!;
    expect(tarball).toMatch(/penumbra-sdk-\d+\.\d+\.\d+\.tgz$/);

    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, version: '1.0.0' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `@types/node@${workspace.devDependencies['@types/node']}`], consumer);
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', '@penumbra', 'sdk', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies)).toEqual(expect.arrayContaining(['kafkajs', 'zod']));

    writeFileSync(join(consumer, 'main.ts'), PROGRAM);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, types: ['node'], outDir: 'out' },
        files: ['main.ts'],
      }),
    );
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], consumer);

    const experimentId = `${kafka.ns.id}-packed`;
    const env = { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), TOPIC_PREFIX: kafka.ns.topicPrefix, EXPERIMENT_ID: experimentId };
    const counters = JSON.parse(
      run(process.execPath, [join('out', 'main.js')], consumer, env)
        .trim()
        .split('\n')
        .pop()!,
    ) as { pairs: number; runs: number };
    expect(counters).toMatchObject({ runs: 20, pairs: 20 });

    const records = await kafka.readAll(kafka.topics.pairs, 20);
    const pairs = records.map((r) => {
      const decoded = decodeRecord(r.value, pairSchema);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value;
    });
    expect(new Set(pairs.map((p) => p.id))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `${experimentId}:call-${i}`)));
    expect(pairs.every((p) => p.experimentId === experimentId && p.endpoint === 'pricing.quote')).toBe(true);
  });
});
