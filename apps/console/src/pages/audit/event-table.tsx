import { Fragment, useId, useState, type ReactNode } from 'react';
import type { AuditEvent } from '../../api/types';
import { formatInstant } from '../../format';
import { eventKeys, eventSubject, shortId, summarizeEvent } from './describe';

/** A key id that opens the key's history and state. */
export function KeyLink({ id, onOpenKey, currentKeyId }: { id: string; onOpenKey?: (keyId: string) => void; currentKeyId?: string }) {
  if (!onOpenKey || id === currentKeyId) return <code title={id}>{shortId(id)}</code>;
  return (
    <button type="button" className="link-button mono" title={id} aria-label={`History of key ${id}`} onClick={() => onOpenKey(id)}>
      {shortId(id)}
    </button>
  );
}

function Actor({ event, onOpenKey, currentKeyId }: { event: AuditEvent; onOpenKey?: (keyId: string) => void; currentKeyId?: string }) {
  const { type, id } = event.actor;
  return (
    <>
      <span className="audit-kind">{type ?? 'unknown'}</span>{' '}
      {id ? type === 'key' ? <KeyLink id={id} onOpenKey={onOpenKey} currentKeyId={currentKeyId} /> : <code title={id}>{shortId(id, 12)}</code> : <span className="muted">—</span>}
    </>
  );
}

function Subject({ event, onOpenKey, currentKeyId }: { event: AuditEvent; onOpenKey?: (keyId: string) => void; currentKeyId?: string }) {
  const subject = eventSubject(event);
  const { newKeyId } = eventKeys(event);
  if (subject.kind === 'key') {
    return (
      <>
        <span className="audit-kind">key</span> <KeyLink id={subject.id} onOpenKey={onOpenKey} currentKeyId={currentKeyId} />
        {newKeyId && (
          <span className="sub">
            new key <KeyLink id={newKeyId} onOpenKey={onOpenKey} currentKeyId={currentKeyId} />
          </span>
        )}
      </>
    );
  }
  if (subject.kind === 'stream') return <code title={subject.id}>{subject.id.length > 24 ? shortId(subject.id, 22) : subject.id}</code>;
  return (
    <>
      <span className="audit-kind">{subject.kind}</span> <code title={subject.id}>{shortId(subject.id)}</code>
    </>
  );
}

/** Everything the event holds (and its hash covers), for the expanded row. */
export function EventDetails({ event }: { event: AuditEvent }) {
  const m = event.metadata;
  return (
    <div className="audit-details">
      <dl className="facts">
        <dt>Position</dt>
        <dd>{event.position}</dd>
        <dt>Event ID</dt>
        <dd>
          <code>{event.eventId}</code>
        </dd>
        <dt>Stream</dt>
        <dd>
          <code>{event.streamId}</code> · version {event.streamVersion}
        </dd>
        <dt>Occurred at</dt>
        <dd>
          <time dateTime={event.occurredAt}>{event.occurredAt}</time>
        </dd>
        <dt>Company</dt>
        <dd>{event.companyId ? <code>{event.companyId}</code> : '—'}</dd>
        <dt>Actor</dt>
        <dd>
          {event.actor.type ?? 'unknown'} {event.actor.id ? <code>{event.actor.id}</code> : null}
        </dd>
        <dt>Client address</dt>
        <dd>{m.ip ? <code>{m.ip}</code> : '—'}</dd>
        <dt>User agent</dt>
        <dd>{m.userAgent ?? '—'}</dd>
        <dt>Request ID</dt>
        <dd>{m.requestId ? <code>{m.requestId}</code> : '—'}</dd>
        <dt>prevHash</dt>
        <dd>
          <code className="hash">{event.prevHash}</code>
        </dd>
        <dt>hash</dt>
        <dd>
          <code className="hash">{event.hash}</code>
        </dd>
      </dl>
      <div className="audit-json">
        <h4>data</h4>
        <pre>{JSON.stringify(event.data, null, 2)}</pre>
        <h4>metadata</h4>
        <pre>{JSON.stringify(event.metadata, null, 2)}</pre>
      </div>
    </div>
  );
}

/**
 * Audit events in log order, one row each (position, time, type, actor, what it concerns,
 * origin), each expandable to the full event.
 */
export function EventTable({
  events,
  label,
  onOpenKey,
  showSubject = true,
  rowAction,
  empty = 'No event matches these filters.',
  currentKeyId,
}: {
  events: AuditEvent[];
  label: string;
  onOpenKey?: (keyId: string) => void;
  showSubject?: boolean;
  rowAction?: (event: AuditEvent) => ReactNode;
  empty?: string;
  /** The key whose history this is: its id is not a link to itself. */
  currentKeyId?: string;
}) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const baseId = useId();
  const columns = 6 + (showSubject ? 1 : 0);
  const toggle = (position: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(position)) next.delete(position);
      else next.add(position);
      return next;
    });

  return (
    <div className="table-wrap">
      <table aria-label={label} className="audit-table">
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Time (local)</th>
            <th scope="col">Type</th>
            <th scope="col">Actor</th>
            {showSubject && <th scope="col">Concerns</th>}
            <th scope="col">Origin</th>
            <th scope="col">
              <span className="audit-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {events.length === 0 && (
            <tr>
              <td colSpan={columns} className="empty">
                {empty}
              </td>
            </tr>
          )}
          {events.map((e) => {
            const expanded = open.has(e.position);
            const detailsId = `${baseId}-${e.position}`;
            const summary = summarizeEvent(e);
            return (
              <Fragment key={e.position}>
                <tr className={expanded ? 'audit-row is-open' : 'audit-row'}>
                  <td className="mono">{e.position}</td>
                  <td className="audit-nowrap">
                    <time dateTime={e.occurredAt} title={e.occurredAt}>
                      {formatInstant(e.occurredAt)}
                    </time>
                  </td>
                  <td>
                    <span className="audit-type">{e.type}</span>
                    {summary && <span className="sub">{summary}</span>}
                  </td>
                  <td className="audit-nowrap">
                    <Actor event={e} onOpenKey={onOpenKey} currentKeyId={currentKeyId} />
                  </td>
                  {showSubject && (
                    <td className="audit-nowrap">
                      <Subject event={e} onOpenKey={onOpenKey} currentKeyId={currentKeyId} />
                    </td>
                  )}
                  <td className="audit-nowrap">
                    {e.metadata.ip ? <code>{e.metadata.ip}</code> : <span className="muted">—</span>}
                    {e.metadata.requestId && (
                      <span className="sub" title={e.metadata.requestId}>
                        req <code>{shortId(e.metadata.requestId)}</code>
                      </span>
                    )}
                  </td>
                  <td className="actions-cell">
                    {rowAction?.(e)}
                    <button
                      type="button"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      aria-label={`Details of event ${e.position}`}
                      onClick={() => toggle(e.position)}
                    >
                      Details
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr className="audit-detail-row" id={detailsId}>
                    <td colSpan={columns}>
                      <EventDetails event={e} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
