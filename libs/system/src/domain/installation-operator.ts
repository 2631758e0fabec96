import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { CommandContext } from '@keyward/event-store';
import { KeywardEvent } from '@keyward/keys';

/**
 * The central link and telemetry belong to the installation, not to a tenant. They are managed
 * by its operator company: the first company created (the one `keyward bootstrap` creates).
 * Keys of other companies get 403 NOT_INSTALLATION_OPERATOR on /v1/system/*, whatever their
 * permissions; every company manages its own shared secret.
 */
@Injectable()
export class InstallationOperator {
  /** Never changes once known: the first CompanyCreated stays first. */
  private known: string | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async companyId(): Promise<string | null> {
    if (this.known) return this.known;
    const rows: { company_id: string }[] = await this.dataSource.query(
      'SELECT company_id FROM events WHERE type = $1 ORDER BY position LIMIT 1',
      [KeywardEvent.CompanyCreated],
    );
    this.known = rows[0]?.company_id ?? null;
    return this.known;
  }

  async assert(ctx: Pick<CommandContext, 'companyId'>): Promise<void> {
    if (ctx.companyId !== (await this.companyId())) {
      throw new Problem(
        403,
        'NOT_INSTALLATION_OPERATOR',
        'the central link, telemetry and system status belong to the installation: only keys of its operator ' +
          'company (the first company, created by `keyward bootstrap`) may use these routes',
      );
    }
  }
}
