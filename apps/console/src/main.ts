import { runService } from '@penumbra/service-kit';
import { ConsoleModule } from './console.module';

runService('console', ConsoleModule);
