import { Module } from '@nestjs/common';
import { experimentsProvider, producerProvider, redisProvider } from '@penumbra/service-kit';
import { PairsHandler } from './pairs.handler';

@Module({ providers: [...redisProvider, ...producerProvider, ...experimentsProvider], controllers: [PairsHandler] })
export class ComparatorModule {}
