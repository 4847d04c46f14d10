import { Controller, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { ConsoleService } from '@penumbra/console';
import { BATCH_TRANSPORT, type BatchTransport, SERVICE_IDENTITY, type ServiceIdentity } from '@penumbra/service-kit';

/** Decisions and snapshots from now on; every console replica reads all of them, in a group of its own. */
const LIVE = { input: 'live', fromBeginning: false } as const;

/**
 * Pages learn of a decision or a new snapshot as it is published, not at the next round of change
 * detection; the rounds stay, so a missed record only delays an update.
 */
@Controller()
export class ConsoleLiveHandler implements OnApplicationBootstrap {
  constructor(
    @Inject(ConsoleService) private readonly console: ConsoleService,
    @Inject(BATCH_TRANSPORT) private readonly transport: BatchTransport,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.useGroup(LIVE.input, this.identity.groupId(`${LIVE.input}-${this.identity.instanceId}`));
  }

  @EventPattern('commands', LIVE)
  onCommands(): void {
    this.console.nudge();
  }

  @EventPattern('aggregates', LIVE)
  onSnapshots(): void {
    this.console.nudge();
  }
}
