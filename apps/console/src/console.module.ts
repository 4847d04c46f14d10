import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ApiController } from './api.controller';
import { AuthMiddleware } from './auth.middleware';
import { ConsoleService } from './console.service';
import { PageController } from './page.controller';

@Module({ providers: [ConsoleService], controllers: [ApiController, PageController] })
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes(ApiController, PageController);
  }
}
