import { Injectable } from '@nestjs/common';
import { CacheCoherenceService } from '@keyward/auth';
import { AppendResult, SettleParticipant } from '@keyward/event-store';
import { takesKeyRights } from '../projections/read-model.projection';

/** A write that can take rights away answers only once no API instance may still serve the key from its cache. */
@Injectable()
export class KeyRightsConfirmation implements SettleParticipant {
  constructor(private readonly coherence: CacheCoherenceService) {}

  async afterSettle(result: AppendResult): Promise<void> {
    if (result.events.some(takesKeyRights)) await this.coherence.confirmApplied(result.events[0].companyId ?? undefined);
  }
}
