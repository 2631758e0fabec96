import { useId } from 'react';
import type { SystemStatus } from '../../api/types';
import { describeLag, queueRows } from './system-model';

/** Queue depths (BullMQ), projection lag, and the way to the queue dashboard. */
export function QueuesSection({ status }: { status: SystemStatus }) {
  const headingId = useId();
  const rows = queueRows(status.queues);
  const lag = status.projectionLag;
  return (
    <section className="card system-card" aria-labelledby={headingId}>
      <h2 id={headingId}>Queues and projections</h2>
      <div className="table-wrap">
        <table className="system-table">
          <caption className="visually-hidden">Jobs per queue</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col" className="system-num">
                Waiting
              </th>
              <th scope="col" className="system-num">
                Active
              </th>
              <th scope="col" className="system-num">
                Failed
              </th>
              <th scope="col" className="system-num">
                Delayed
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ name, counts }) => (
              <tr key={name}>
                <th scope="row" className="system-rowhead">
                  <code>{name}</code>
                </th>
                {counts ? (
                  <>
                    <td className="system-num">{counts.waiting}</td>
                    <td className="system-num">{counts.active}</td>
                    <td className="system-num">{counts.failed > 0 ? <span className="badge badge-bad">{counts.failed}</span> : 0}</td>
                    <td className="system-num">{counts.delayed}</td>
                  </>
                ) : (
                  <td colSpan={4} className="muted">
                    Unknown: Redis did not answer within 2 seconds.
                  </td>
                )}
              </tr>
            ))}
            <tr>
              <th scope="row" className="system-rowhead">
                Projection lag
              </th>
              <td colSpan={4} className={lag.events > 0 ? undefined : 'muted'}>
                {describeLag(lag)}
              </td>
            </tr>
          </tbody>
        </table>
      </div>

      <h3 className="system-subhead">Queue dashboard</h3>
      <p>
        <a href="/admin/queues" target="_blank" rel="noreferrer">
          Queue dashboard
        </a>{' '}
        (bull-board, opens in a new tab) shows each job, and lets you retry or remove failed ones.
      </p>
      <div className="notice notice-info" role="note">
        The dashboard is outside the console and admits only requests that carry a key with <code>admin.system.api</code> in the{' '}
        <code>x-api-key</code> header (or <code>Authorization: Bearer</code>): the page and every call it makes. It reads no cookie
        and no URL parameter, and a link sends no header, so the link alone answers <strong>401 MISSING_API_KEY</strong> (the
        console never puts a key in a URL). To open it, have the header added for this host: by a reverse proxy in front of Keyward,
        or by a browser extension that sets request headers.
      </div>
    </section>
  );
}
