import { runService } from '@penumbra/service-kit';
import { MirrorModule } from './mirror.module';

runService('traffic-mirror', MirrorModule);
