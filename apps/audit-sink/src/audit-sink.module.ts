import { Module } from '@nestjs/common';
import { experimentsProvider } from '@penumbra/service-kit';
import { AuditController } from './audit.controller';
import { AuditInputsHandler } from './audit-inputs.handler';
import { AuditCheckpoints, auditSinkProvider } from './audit-sink.providers';

@Module({ providers: [...experimentsProvider, auditSinkProvider, AuditCheckpoints], controllers: [AuditInputsHandler, AuditController] })
export class AuditSinkModule {}
