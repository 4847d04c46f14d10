import { Module } from '@nestjs/common';
import { MirrorService } from './mirror.service';

@Module({ providers: [MirrorService] })
export class MirrorModule {}
