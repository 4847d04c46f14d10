import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditSinkService } from './audit-sink.service';

@Module({ providers: [AuditSinkService], controllers: [AuditController] })
export class AuditSinkModule {}
