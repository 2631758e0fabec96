import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ROLES } from '@keyward/auth';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { CommandContext, CommandWriter, NewEvent, ReservationConflictError, asConflict } from '@keyward/event-store';
import { mintKey } from '../../domain/key-factory';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { BootstrapCommand, BootstrapResult } from './bootstrap.command';

@CommandHandler(BootstrapCommand)
export class BootstrapHandler implements ICommandHandler<BootstrapCommand> {
  constructor(
    private readonly writer: CommandWriter,
    private readonly dataSource: DataSource,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ input }: BootstrapCommand): Promise<BootstrapResult | null> {
    if (input.firstOnly) {
      const any = await this.dataSource.query(`SELECT 1 FROM events WHERE type = $1 LIMIT 1`, [KeywardEvent.CompanyCreated]);
      if (any.length > 0) return null;
    }
    const companyId = randomUUID();
    const userId = randomUUID();
    const now = new Date();
    const ctx: CommandContext = {
      companyId,
      actor: { type: 'system', id: 'bootstrap' },
      permissions: 'all',
      metadata: {},
    };
    const email = input.adminEmail.toLowerCase();
    const events: NewEvent[] = [
      {
        streamId: streamOf.company(companyId),
        type: KeywardEvent.CompanyCreated,
        companyId,
        actor: ctx.actor,
        data: { companyId, name: input.companyName },
        occurredAt: now,
      },
      {
        streamId: streamOf.user(userId),
        type: KeywardEvent.UserCreated,
        companyId,
        actor: ctx.actor,
        data: { userId, email, name: input.adminName, permissions: [...ROLES.ADMIN].sort(), disabled: false },
        occurredAt: now,
      },
    ];
    const minted = mintKey(
      this.config.pepper,
      ctx,
      {
        ownerId: userId,
        type: 'administration',
        name: 'Admin key',
        description: 'Created at bootstrap',
        permissions: [],
        expiresAt: null,
        allowedIps: [],
        rateLimit: null,
      },
      now,
    );
    events.push(minted.event);

    const reservations = [{ scope: `email:${companyId}`, value: email }];
    if (input.firstOnly) reservations.push({ scope: 'bootstrap', value: 'first-company' });
    try {
      await this.writer.appendAndSettle(ctx, events, {
        expectedVersions: Object.fromEntries(events.map((e) => [e.streamId, 0])),
        reservations,
        conflict: (err) => {
          throw err; // answered below: first-only's reservation taken means another process bootstrapped
        },
      });
    } catch (err) {
      if (input.firstOnly && err instanceof ReservationConflictError) return null;
      asConflict(err);
    }
    return { companyId, userId, keyId: minted.keyId, key: minted.key };
  }
}
