import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CheckpointSigner } from '../../checkpoints/checkpoint-signer';
import { decodePositionCursor, encodePositionCursor } from '../list-audit-events/list-audit-events.query';
import { CheckpointPage, ListCheckpointsQuery } from './list-checkpoints.query';

@QueryHandler(ListCheckpointsQuery)
export class ListCheckpointsHandler implements IQueryHandler<ListCheckpointsQuery> {
  constructor(private readonly signer: CheckpointSigner) {}

  async execute(q: ListCheckpointsQuery): Promise<CheckpointPage> {
    let before: number | undefined;
    if (q.cursor !== undefined) {
      const decoded = decodePositionCursor(q.cursor);
      if (decoded === null) throw Problem.invalidField('cursor', 'is not a cursor this API returned');
      before = decoded;
    }
    const rows = await this.signer.list(q.limit + 1, before);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      algorithm: 'Ed25519',
      publicKey: this.signer.publicKey,
      items,
      nextCursor: rows.length > q.limit && last ? encodePositionCursor(last.position) : null,
    };
  }
}
