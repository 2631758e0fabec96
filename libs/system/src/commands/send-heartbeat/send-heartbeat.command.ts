import { randomUUID } from 'node:crypto';
import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { HeartbeatResult } from '../../queries/resources';

export interface HeartbeatRequest {
  /** 'manual': asked for now (API, CLI), one attempt; 'scheduled': the telemetry job scheduler. */
  trigger: 'manual' | 'scheduled';
  /** The same for every attempt of one heartbeat (the job id of a scheduled one). */
  heartbeatId: string;
  /** 1-based. */
  attempt: number;
  maxAttempts: number;
  /** Who asked, for a manual heartbeat; a scheduled one acts as the system actor `telemetry`. */
  ctx?: CommandContext;
}

/**
 * Sends one heartbeat (installation id, instance id, version, uptime, anonymous counts) to the
 * central service, signed. Records HeartbeatSent, or HeartbeatFailed once no attempt follows.
 * A scheduled heartbeat is skipped (no event) while telemetry is off or the link is unusable.
 */
export class SendHeartbeatCommand extends Command<HeartbeatResult> {
  constructor(readonly request: HeartbeatRequest) {
    super();
  }

  /** A heartbeat sent now on an operator's request: one attempt, answered with its outcome. */
  static now(ctx: CommandContext): SendHeartbeatCommand {
    return new SendHeartbeatCommand({ trigger: 'manual', heartbeatId: randomUUID(), attempt: 1, maxAttempts: 1, ctx });
  }
}
