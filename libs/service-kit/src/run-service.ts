import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { type ServiceName, type ServiceEnv, parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { ConfigError } from '@penumbra/errors';
import { bootstrapService } from './bootstrap';
import { createServiceContext } from './service-context';

/** Starts a service from its already parsed environment (tests start services this way too). */
export function startService<N extends ServiceName>(
  name: N,
  env: ServiceEnv<N>,
  feature: Type | DynamicModule,
  options: { exitOnFatal?: boolean } = {},
): Promise<INestApplication> {
  const ctx = createServiceContext(name, env);
  ctx.exitOnFatal = options.exitOnFatal ?? false;
  return bootstrapService(ctx, feature);
}

/** A service's main: parse its environment once (a bad value exits naming the variable), then start it. */
export function runService(name: ServiceName, feature: Type | DynamicModule): void {
  const start = async () => {
    const env = parseEnv(serviceEnvSchemas[name], process.env, name) as ServiceEnv<typeof name>;
    await startService(name, env, feature, { exitOnFatal: true });
  };
  start().catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
