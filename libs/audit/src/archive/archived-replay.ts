import { Problem } from '@keyward/common';
import { ArchiveSeal } from './archive-seals';

/**
 * 410 AUDIT_ARCHIVED: a replay (a key's state at an instant, its history) needs events that went
 * to an archive. Names the archive and the position range; docs/audit-archive.md says what a
 * replay across it needs.
 */
export function archivedReplay(what: string, seal: ArchiveSeal): Problem {
  return new Problem(
    410,
    'AUDIT_ARCHIVED',
    `${what}: its events up to position ${seal.throughPosition} (positions 1..${seal.throughPosition}) went to an archive ` +
      `(AuditArchived at position ${seal.recordedAt}, ${seal.manifest}, manifest sha256 ${seal.manifestSha256}); ` +
      'a replay across that range reads the archive: keyward audit verify --archive <dir>, then replay its segments and the live log (docs/audit-archive.md)',
  );
}
