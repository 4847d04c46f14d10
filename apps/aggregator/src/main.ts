import { runService } from '@penumbra/service-kit';
import { AggregatorModule } from './aggregator.module';

runService('aggregator', AggregatorModule);
