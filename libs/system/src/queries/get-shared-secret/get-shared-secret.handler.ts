import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SharedSecretMetadata } from '../resources';
import { GetSharedSecretQuery } from './get-shared-secret.query';

@QueryHandler(GetSharedSecretQuery)
export class GetSharedSecretHandler implements IQueryHandler<GetSharedSecretQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ companyId }: GetSharedSecretQuery): Promise<SharedSecretMetadata> {
    const rows: { fingerprint: string; created_at: Date; rotated_at: Date | null }[] = await this.dataSource.query(
      'SELECT fingerprint, created_at, rotated_at FROM shared_secrets WHERE company_id = $1',
      [companyId],
    );
    const r = rows[0];
    if (!r) return { exists: false, fingerprint: null, createdAt: null, rotatedAt: null };
    return { exists: true, fingerprint: r.fingerprint, createdAt: r.created_at.toISOString(), rotatedAt: r.rotated_at?.toISOString() ?? null };
  }
}
