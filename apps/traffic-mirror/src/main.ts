import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { ConfigError } from '@penumbra/errors';
import { bootstrapService, createServiceContext } from '@penumbra/service-kit';
import { MirrorModule } from './mirror.module';

async function main(): Promise<void> {
  const env = parseEnv(serviceEnvSchemas['traffic-mirror'], process.env, 'traffic-mirror');
  await bootstrapService(createServiceContext('traffic-mirror', env), MirrorModule);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
