import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorNotice, Loading } from '../components/notices';
import { describePermissions } from '../components/permission-picker';
import { formatInstant, relativeTo } from '../format';
import { useSession } from '../session';
import { RangePicker, UsageChart } from './usage/usage-chart';
import { RANGES, parseRange, rangeOf, rangeQuery } from './usage/usage-model';

/** One key: what it is, and its requests over time (GET /v1/keys/:id/usage) in the range of the URL. */
export function KeyDetailPage() {
  const { client } = useSession();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get('range'));
  const key = useQuery({ queryKey: ['keys', 'one', id], queryFn: () => client.get('/v1/keys/{id}', { params: { path: { id } } }) });
  const usage = useQuery({
    queryKey: ['usage', 'key', id, range],
    queryFn: () => client.get('/v1/keys/{id}/usage', { params: { path: { id }, query: rangeQuery(range, Date.now()) } }),
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[2] === id ? previous : undefined),
  });
  const k = key.data;
  const total = usage.data?.buckets.reduce((n, b) => n + b.total, 0) ?? 0;
  return (
    <section aria-labelledby="key-title">
      <p>
        <Link to="/keys">← API keys</Link>
      </p>
      <ErrorNotice error={key.error} />
      {key.isPending ? (
        <Loading what="the key" />
      ) : (
        k && (
          <>
            <div className="toolbar">
              <h1 id="key-title" className="grow">
                Key “{k.name}”
              </h1>
              <RangePicker value={range} onChange={(r) => setParams({ range: r }, { replace: true })} />
            </div>
            <dl className="facts card key-facts">
              <dt>Start</dt>
              <dd>
                <code>{k.start}…</code>
              </dd>
              <dt>Status</dt>
              <dd>
                <span className={`badge badge-${k.status}`}>{k.status}</span>
              </dd>
              <dt>Permissions</dt>
              <dd>{k.type === 'administration' ? "administration: all of its owner's permissions" : describePermissions(k.permissions)}</dd>
              <dt>Created</dt>
              <dd>{formatInstant(k.createdAt)}</dd>
              <dt>Last used</dt>
              <dd title={k.lastUsedAt ?? undefined}>{k.lastUsedAt ? `${relativeTo(k.lastUsedAt)} (${formatInstant(k.lastUsedAt)})` : 'Never'}</dd>
              <dt>Expires</dt>
              <dd>{k.expiresAt ? `${formatInstant(k.expiresAt)} (${relativeTo(k.expiresAt)})` : 'Never'}</dd>
            </dl>
            <section className="card" aria-labelledby="key-usage-title">
              <h2 id="key-usage-title">Usage</h2>
              <ErrorNotice error={usage.error} />
              {usage.isPending ? (
                <Loading what="usage" />
              ) : k.lastUsedAt === null && total === 0 ? (
                <p className="empty" role="note">
                  This key has never been used: there are no requests to chart. Requests made with it appear here within a few seconds.
                </p>
              ) : (
                usage.data && (
                  <>
                    {usage.isPlaceholderData && <Loading what={RANGES[range].label.toLowerCase()} />}
                    {total === 0 && <p className="muted">No requests in the {RANGES[rangeOf(usage.data.granularity)].label.toLowerCase()}.</p>}
                    <UsageChart series={usage.data} title="Requests of this key" />
                  </>
                )
              )}
            </section>
          </>
        )
      )}
    </section>
  );
}
