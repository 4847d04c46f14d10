import { BadRequestException, Controller, Get, Inject, Param } from '@nestjs/common';
import { type historyJson } from '@penumbra/audit';
import { GLOBAL_AUDIT_STREAM, experimentId as experimentIdSchema } from '@penumbra/contracts';
import { type AuditSink } from '@penumbra/audit-sink';
import { AUDIT_SINK } from './audit-sink.providers';

@Controller('audit')
export class AuditController {
  constructor(@Inject(AUDIT_SINK) private readonly sink: AuditSink) {}

  @Get(':experimentId')
  async history(@Param('experimentId') experimentId: string): Promise<ReturnType<typeof historyJson>> {
    if (experimentId !== GLOBAL_AUDIT_STREAM && !experimentIdSchema.safeParse(experimentId).success) {
      throw new BadRequestException(`"${experimentId}" is not an experiment id (lowercase letters, digits, ".", "_", "-"), nor ${GLOBAL_AUDIT_STREAM}`);
    }
    return this.sink.history(experimentId);
  }
}
