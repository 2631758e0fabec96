import { Writable } from 'node:stream';

/** Why an export ended before its last row (recorded in AuditExported as `stoppedBy`). */
export type ExportStop = 'idle_timeout' | 'max_duration' | 'client_gone' | 'database_error';

export class ExportStopped extends Error {
  constructor(
    readonly stop: ExportStop,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Forwards into `sink` (the client's response) with its backpressure, but leaves ending it to the
 * caller. Fails with ExportStopped when the client goes away ('client_gone'), or when it accepts
 * nothing for `idleTimeoutMs` while the export waits for it to read ('idle_timeout'): a client
 * that stops reading must not hold a database cursor and an export slot for ever.
 */
export function towardsClient(sink: Writable, idleTimeoutMs: number): Writable {
  const gone = () => new ExportStopped('client_gone', 'the client went away');
  let onGone: (() => void) | null = null;
  const forward = new Writable({
    write(chunk, _enc, done) {
      if (sink.destroyed || sink.writableEnded) return done(gone());
      if (sink.write(chunk)) return done();
      const settle = (err?: Error) => {
        clearTimeout(idle);
        sink.off('drain', onDrain);
        sink.off('close', onClose);
        done(err);
      };
      const onDrain = () => settle();
      const onClose = () => settle(gone());
      const idle = setTimeout(
        () => settle(new ExportStopped('idle_timeout', `the client read nothing for ${idleTimeoutMs} ms (AUDIT_EXPORT_IDLE_TIMEOUT_MS)`)),
        idleTimeoutMs,
      );
      sink.once('drain', onDrain);
      sink.once('close', onClose);
    },
  });
  onGone = () => forward.destroy(gone());
  sink.once('close', onGone);
  forward.once('finish', () => onGone && sink.off('close', onGone));
  forward.once('close', () => onGone && sink.off('close', onGone));
  return forward;
}
