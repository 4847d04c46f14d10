import 'reflect-metadata';
import { type INestApplication, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestMicroservice } from '@nestjs/microservices';
import { PenumbraError } from '@penumbra/errors';
import { ObservabilityModule } from '@penumbra/observability';
import { BatchTransport, RethrowHandlerErrors } from './batch-transport';
import { consumerDefaults } from './lifecycle';
import { type BaseServiceEnv, type ServiceContext } from './service-context';
import { ServiceCoreModule } from './service-providers';

@Module({})
class ServiceRootModule {
  static forRoot(ctx: ServiceContext, transport: BatchTransport, feature: Type | DynamicModule): DynamicModule {
    return {
      module: ServiceRootModule,
      imports: [ServiceCoreModule.forRoot(ctx, transport), ObservabilityModule.forRoot({ registry: ctx.registry, health: ctx.health }), feature],
    };
  }
}

/**
 * Starts a service as a Nest application with one microservice, the BatchTransport: its providers
 * are built (Redis, producers, tables connect in their factories), the bootstrap hooks run, then
 * the `@EventPattern` handlers start consuming, and /metrics and /health answer. On SIGTERM Nest
 * closes the transport first, which finishes and commits the batches in hand, and only then runs
 * the `onApplicationShutdown` hooks that close what the handlers used.
 */
export async function bootstrapService<E extends BaseServiceEnv>(ctx: ServiceContext<E>, feature: Type | DynamicModule): Promise<INestApplication> {
  const transport = new BatchTransport({
    client: ctx.kafka,
    topics: ctx.topics,
    logger: ctx.logger,
    health: ctx.health,
    groupId: (input) => ctx.groupId(input),
    consumerDefaults: consumerDefaults(ctx),
  });
  const app = await NestFactory.create(ServiceRootModule.forRoot(ctx, transport, feature), { logger: ctx.nestLogger, abortOnError: false });
  const microservice = app.connectMicroservice({ strategy: transport }, { deferInitialization: true });
  if (!(microservice instanceof NestMicroservice))
    throw new PenumbraError('the batch transport did not start as a Nest microservice', { code: 'NEST_MICROSERVICE', retriable: false });
  // Before the listeners are registered, since Nest binds the filters to each handler then.
  microservice.useGlobalFilters(new RethrowHandlerErrors());
  microservice.registerListeners();
  microservice.setIsInitialized(true);
  microservice.setIsInitHookCalled(true);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  await app.startAllMicroservices();
  await app.listen(ctx.env.HTTP_PORT, ctx.env.HTTP_HOST);
  ctx.logger.info('service started', { url: await app.getUrl(), topicsPrefix: ctx.env.TOPIC_PREFIX });
  return app;
}
