import { Query } from '@nestjs/cqrs';
import { Checkpoint } from '../../checkpoints/checkpoint-signer';

export interface CheckpointPage {
  algorithm: 'Ed25519';
  /** SPKI PEM of the key signing now (null: signing not configured). */
  publicKey: string | null;
  items: Checkpoint[];
  nextCursor: string | null;
}

/** Signed chain heads, newest first. */
export class ListCheckpointsQuery extends Query<CheckpointPage> {
  constructor(
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
