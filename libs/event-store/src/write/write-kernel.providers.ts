import { Provider, Type } from '@nestjs/common';
import { CommandWriter } from './command-writer';
import { ConsistencyService, PROJECTION_MODE, ProjectionMode, SETTLE_PARTICIPANTS, SettleParticipant } from './consistency.service';

/**
 * What a domain module provides to write: CommandWriter and ConsistencyService in the given mode,
 * with the domain's settle participants. Needs EventStoreModule, QueueModule and a ProjectorModule.
 */
export function writeKernelProviders(mode: ProjectionMode, participants: Type<SettleParticipant>[] = []): Provider[] {
  return [
    { provide: PROJECTION_MODE, useValue: mode },
    ...participants,
    { provide: SETTLE_PARTICIPANTS, useFactory: (...all: SettleParticipant[]) => all, inject: participants },
    ConsistencyService,
    CommandWriter,
  ];
}
