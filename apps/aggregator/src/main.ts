import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { ConfigError } from '@penumbra/errors';
import { bootstrapService, createServiceContext } from '@penumbra/service-kit';
import { AggregatorModule } from './aggregator.module';

async function main(): Promise<void> {
  const env = parseEnv(serviceEnvSchemas.aggregator, process.env, 'aggregator');
  await bootstrapService(createServiceContext('aggregator', env), AggregatorModule);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
