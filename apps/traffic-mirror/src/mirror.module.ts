import { Module } from '@nestjs/common';
import { CorpusTriggersHandler } from './corpus.handler';
import { corpusWriterProvider } from './corpus.providers';
import { GoReplayHandler } from './goreplay.handler';
import { mirrorProviders } from './mirror.providers';
import { TrafficHandler } from './traffic.handler';

@Module({ providers: [...mirrorProviders, corpusWriterProvider], controllers: [TrafficHandler, GoReplayHandler, CorpusTriggersHandler] })
export class MirrorModule {}
