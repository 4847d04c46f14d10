import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { experimentsProvider, producerProvider, redisProvider } from '@penumbra/service-kit';
import { ApiController } from './api.controller';
import { AuthMiddleware } from './auth.middleware';
import { ConsoleLiveHandler } from './console-live.handler';
import { consoleProvider } from './console.providers';
import { PageController } from './page.controller';

@Module({ providers: [...redisProvider, ...producerProvider, ...experimentsProvider, consoleProvider], controllers: [ApiController, PageController, ConsoleLiveHandler] })
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes(ApiController, PageController);
  }
}
