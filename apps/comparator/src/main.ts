import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { ConfigError } from '@penumbra/errors';
import { bootstrapService, createServiceContext } from '@penumbra/service-kit';
import { ComparatorModule } from './comparator.module';

async function main(): Promise<void> {
  const env = parseEnv(serviceEnvSchemas.comparator, process.env, 'comparator');
  await bootstrapService(createServiceContext('comparator', env), ComparatorModule);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
