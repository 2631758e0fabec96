export class StreamConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at version ${actual}, expected ${expected}`);
  }
}

export class ReservationConflictError extends Error {
  constructor(
    readonly scope: string,
    readonly value: string,
  ) {
    super(`${scope} is already taken`);
  }
}

export class DuplicateEventError extends Error {
  constructor(readonly eventId: string) {
    super(`event ${eventId} was already appended with different content`);
  }
}

/** The log's start was archived (keyward audit archive): what needs the whole log from position 1 cannot run. */
export class LogArchivedError extends Error {
  constructor(readonly firstLivePosition: number) {
    super(
      `the log starts at position ${firstLivePosition}: positions 1 to ${firstLivePosition - 1} were archived (AuditArchived in the log), ` +
        'so a rebuild cannot replay it from position 1; the read models were left as they are (docs/audit-archive.md)',
    );
  }
}
