import 'reflect-metadata';
import { type INestApplication, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ObservabilityModule } from '@penumbra/observability';
import { SERVICE_CONTEXT, type BaseServiceEnv, type ServiceContext } from './service-context';

@Module({})
class ServiceContextModule {
  static forRoot(ctx: ServiceContext): DynamicModule {
    return { module: ServiceContextModule, global: true, providers: [{ provide: SERVICE_CONTEXT, useValue: ctx }], exports: [SERVICE_CONTEXT] };
  }
}

@Module({})
class ServiceRootModule {
  static forRoot(ctx: ServiceContext, feature: Type | DynamicModule): DynamicModule {
    return {
      module: ServiceRootModule,
      imports: [ServiceContextModule.forRoot(ctx), ObservabilityModule.forRoot({ registry: ctx.registry, health: ctx.health }), feature],
    };
  }
}

/**
 * Starts a service: its feature module (whose providers start consumers on bootstrap and stop
 * them, finishing the batch in hand, on shutdown), /metrics and /health, SIGTERM handling.
 */
export async function bootstrapService<E extends BaseServiceEnv>(ctx: ServiceContext<E>, feature: Type | DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create(ServiceRootModule.forRoot(ctx, feature), { logger: ctx.nestLogger, abortOnError: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(ctx.env.HTTP_PORT, ctx.env.HTTP_HOST);
  ctx.logger.info('service started', { url: await app.getUrl(), topicsPrefix: ctx.env.TOPIC_PREFIX });
  return app;
}
