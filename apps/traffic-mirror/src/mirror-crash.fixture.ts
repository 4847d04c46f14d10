// Runs the traffic mirror in a process of its own for the crash test. With MODE=crash it is
// killed with SIGKILL at its first commit: after the pairs are durable, before the offsets are.
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { killBeforeCommit } from '@penumbra/kafka-testing';
import { createServiceContext } from '@penumbra/service-kit';
import { MirrorService } from './mirror.service';

async function main(): Promise<void> {
  const env = parseEnv(serviceEnvSchemas['traffic-mirror'], process.env, 'traffic-mirror');
  const ctx = createServiceContext('traffic-mirror', env);
  const service = new MirrorService(process.env['MODE'] === 'crash' ? { ...ctx, kafka: killBeforeCommit(ctx.kafka) } : ctx);
  await service.onApplicationBootstrap();
  process.stdout.write('started\n');
  process.once('SIGTERM', () => {
    void service.onApplicationShutdown().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
