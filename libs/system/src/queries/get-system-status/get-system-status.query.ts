import { Query } from '@nestjs/cqrs';
import { SystemStatus } from '../resources';

/** Version, central link, telemetry, queue depths and projection lag (operator company only). */
export class GetSystemStatusQuery extends Query<SystemStatus> {
  constructor(readonly companyId: string) {
    super();
  }
}
