import { Controller, Get, Header, HttpStatus, Inject, Module, type DynamicModule, Res } from '@nestjs/common';
import { type Registry } from 'prom-client';
import { HealthRegistry, type HealthReport } from './health';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const HEALTH_REGISTRY = Symbol('HEALTH_REGISTRY');

interface StatusResponse {
  status(code: number): { json(body: unknown): void };
}

@Controller()
export class ObservabilityController {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(HEALTH_REGISTRY) private readonly health: HealthRegistry,
  ) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }

  @Get('health/live')
  live(@Res() res: StatusResponse): void {
    const report = this.health.liveness();
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }

  @Get(['health', 'health/ready'])
  async ready(@Res() res: StatusResponse): Promise<void> {
    const report: HealthReport = await this.health.readiness();
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }
}

/** /metrics from the service's own registry and /health from its readiness checks. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: { registry: Registry; health: HealthRegistry }): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [ObservabilityController],
      providers: [
        { provide: METRICS_REGISTRY, useValue: options.registry },
        { provide: HEALTH_REGISTRY, useValue: options.health },
      ],
      exports: [METRICS_REGISTRY, HEALTH_REGISTRY],
    };
  }
}
