import { useId, useState } from 'react';
import { ErrorNotice } from '../../components/notices';
import { useSession } from '../../session';
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
      <QueueDashboardLink />
    </section>
  );
}

/**
 * bull-board needs the key on every request, which a link cannot send: the console opens
 * a 15-minute dashboard session (an HttpOnly cookie for /admin/queues holding a random
 * token, never the key) and then opens the dashboard in a new tab.
 */
function QueueDashboardLink() {
  const { client } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const open = async () => {
    setError(null);
    setBusy(true);
    // opened now, while the click still counts as a user gesture; pointed at the dashboard once the session exists
    const tab = window.open('', '_blank');
    try {
      const session = await client.dashboardSession('open');
      if (tab) {
        tab.opener = null;
        tab.location.href = session.url;
      } else window.location.assign(session.url);
    } catch (err) {
      tab?.close();
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p>
        <a
          href="/admin/queues"
          onClick={(e) => {
            e.preventDefault();
            if (!busy) void open();
          }}
        >
          Queue dashboard
        </a>{' '}
        (bull-board, opens in a new tab) shows each job of every queue, and lets you retry or remove failed ones.
      </p>
      <p className="field-hint">
        Opening it starts a 15-minute dashboard session in this browser: a cookie for <code>/admin/queues</code> only, holding a random
        token rather than the key. The key is checked again on every dashboard request, so revoking it ends the session; signing out
        of the console ends it too.
      </p>
      <ErrorNotice error={error} />
    </>
  );
}
