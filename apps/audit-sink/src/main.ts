import { runService } from '@penumbra/service-kit';
import { AuditSinkModule } from './audit-sink.module';

runService('audit-sink', AuditSinkModule);
