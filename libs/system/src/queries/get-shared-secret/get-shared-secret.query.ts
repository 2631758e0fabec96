import { Query } from '@nestjs/cqrs';
import { SharedSecretMetadata } from '../resources';

/** Metadata of a company's shared secret: whether it exists, its fingerprint and dates. */
export class GetSharedSecretQuery extends Query<SharedSecretMetadata> {
  constructor(readonly companyId: string) {
    super();
  }
}
