import { runService } from '@penumbra/service-kit';
import { SentinelModule } from './sentinel.module';

runService('sentinel', SentinelModule);
