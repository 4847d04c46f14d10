import { Module } from '@nestjs/common';
import { experimentsProvider, producerProvider, redisProvider } from '@penumbra/service-kit';
import { SentinelInputsHandler } from './sentinel-inputs.handler';
import { SentinelClock, sentinelProvider } from './sentinel.providers';

@Module({ providers: [...redisProvider, ...producerProvider, ...experimentsProvider, sentinelProvider, SentinelClock], controllers: [SentinelInputsHandler] })
export class SentinelModule {}
