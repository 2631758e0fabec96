import { Injectable } from '@nestjs/common';
import { AppendOptions, AppendResult, NewEvent } from '../event.types';
import { EventStore } from '../event-store';
import { CommandContext } from './command-context';
import { asConflict } from './conflicts';
import { ConsistencyService } from './consistency.service';

/** An event of a command: who acts, for which company and the request's metadata come from its context unless given. */
export type CommandEvent = Omit<NewEvent, 'companyId' | 'actor' | 'metadata'> & Partial<Pick<NewEvent, 'companyId' | 'actor' | 'metadata'>>;

export interface CommandAppendOptions extends AppendOptions {
  /** How a lost race answers (StreamConflictError, ReservationConflictError); asConflict's 409s unless given. */
  conflict?: (err: unknown) => never;
}

/**
 * The end of every command handler: after it has loaded its streams and checked the command,
 * append its events under the versions it decided on, answer a lost race with a 409, and return
 * once the change is what readers see (ConsistencyService.settle).
 */
@Injectable()
export class CommandWriter {
  constructor(
    private readonly store: EventStore,
    private readonly consistency: ConsistencyService,
  ) {}

  async appendAndSettle(ctx: CommandContext, events: CommandEvent[], options: CommandAppendOptions): Promise<AppendResult> {
    const { conflict = (err: unknown) => asConflict(err), ...append } = options;
    const stamped = events.map((e) => ({ companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, ...e }));
    const result = await this.store.append(stamped, append).catch(conflict);
    await this.consistency.settle(result);
    return result;
  }
}
