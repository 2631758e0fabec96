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
