import { Module } from '@nestjs/common';
import { experimentsProvider, producerProvider, redisProvider } from '@penumbra/service-kit';
import { AggregatesMarker, aggregationProvider } from './aggregation.providers';
import { AggregatorEventsHandler } from './aggregator-events.handler';

@Module({ providers: [...redisProvider, ...producerProvider, ...experimentsProvider, aggregationProvider, AggregatesMarker], controllers: [AggregatorEventsHandler] })
export class AggregatorModule {}
