import { Command } from '@nestjs/cqrs';

/** One request of a company's own service, as its verifier reports it (docs/verifier-protocol.md). */
export interface ReportedUse {
  /** Chosen by the service: a retried batch appends nothing twice. */
  eventId: string;
  keyId: string;
  method: string;
  route: string;
  status: number;
  ip: string;
  userAgent: string | null;
  requestId: string | null;
  durationMs: number;
  occurredAt: string;
}

/** A company's service reports its requests: one KeyUsed each, appended before the answer. */
export class ReportUsageCommand extends Command<{ appended: number }> {
  constructor(
    readonly companyId: string,
    readonly records: ReportedUse[],
  ) {
    super();
  }
}
