import { runService } from '@penumbra/service-kit';
import { ComparatorModule } from './comparator.module';

runService('comparator', ComparatorModule);
