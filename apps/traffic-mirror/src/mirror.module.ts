import { Module } from '@nestjs/common';
import { GoReplayHandler } from './goreplay.handler';
import { mirrorProviders } from './mirror.providers';
import { TrafficHandler } from './traffic.handler';

@Module({ providers: mirrorProviders, controllers: [TrafficHandler, GoReplayHandler] })
export class MirrorModule {}
