import { type IncomingMessage, type ServerResponse } from 'node:http';
import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { type ExperimentRecord, experimentId as experimentIdSchema, formatIssues } from '@penumbra/contracts';
import {
  type AuditView,
  ConsoleService,
  type ControlAnswer,
  type DiffsView,
  type ExperimentDetail,
  type ExperimentSummary,
  auditView,
  controlFormSchema,
  diffsView,
  experimentDetail,
  listExperiments,
} from '@penumbra/console';

/** The REST API the console's pages use, and users too (bearer token or basic auth). */
@Controller('api')
export class ApiController {
  constructor(@Inject(ConsoleService) private readonly console: ConsoleService) {}

  private record(id: string): ExperimentRecord {
    if (!experimentIdSchema.safeParse(id).success) throw new BadRequestException('not an experiment id (lowercase letters, digits, ".", "_", "-")');
    const record = this.console.sources.experiment(id);
    if (record === undefined) throw new NotFoundException(`no experiment ${id}`);
    return record;
  }

  @Get('me')
  me(@Req() req: IncomingMessage): { name: string; operator: string } {
    const user = this.console.user(req);
    return { name: user.name, operator: user.operator };
  }

  @Get('experiments')
  async experiments(): Promise<{ experiments: ExperimentSummary[] }> {
    return { experiments: await listExperiments(this.console.sources) };
  }

  @Get('experiments/:id')
  detail(@Param('id') id: string): Promise<ExperimentDetail> {
    return experimentDetail(this.console.sources, this.record(id));
  }

  @Get('experiments/:id/diffs')
  diffs(@Param('id') id: string): Promise<DiffsView> {
    return diffsView(this.console.sources, this.record(id));
  }

  @Get('experiments/:id/audit')
  audit(@Param('id') id: string): Promise<AuditView> {
    return auditView(this.console.sources, this.record(id).experimentId);
  }

  @Post('experiments/:id/control')
  @HttpCode(200)
  control(@Param('id') id: string, @Body() body: unknown, @Req() req: IncomingMessage): Promise<ControlAnswer> {
    const record = this.record(id);
    const form = controlFormSchema.safeParse(body);
    if (!form.success) throw new BadRequestException(formatIssues(form.error));
    return this.console.control(record.experimentId, this.console.user(req), form.data);
  }

  /** One stream per page: `changed` names the experiments whose data changed, `control` carries the sentinel's answers. */
  @Get('events')
  events(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    const client = { write: (chunk: string) => void res.write(chunk), end: () => res.end() };
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Connection', 'keep-alive');
    if (!this.console.hub.add(client)) throw new ServiceUnavailableException('too many open event streams; try again later');
    res.flushHeaders();
    req.on('close', () => this.console.hub.remove(client));
  }
}
