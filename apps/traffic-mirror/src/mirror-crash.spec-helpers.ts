// Runs the traffic mirror in a process of its own for the crash test. With MODE=crash it is
// killed with SIGKILL at its first commit: after the pairs are durable, before the offsets are.
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { killBeforeCommit } from '@penumbra/kafka-testing';
import { bootstrapService, createServiceContext } from '@penumbra/service-kit';
import { MirrorModule } from './mirror.module';

async function main(): Promise<void> {
  const env = parseEnv(serviceEnvSchemas['traffic-mirror'], process.env, 'traffic-mirror');
  const ctx = createServiceContext('traffic-mirror', env);
  if (process.env['MODE'] === 'crash') ctx.kafka = killBeforeCommit(ctx.kafka);
  await bootstrapService(ctx, MirrorModule);
  process.stdout.write('started\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
