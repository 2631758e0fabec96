import { useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ApiKey, CompanyUsage, KeyPage } from '../api/types';
import { BarChart } from '../components/charts/bar-chart';
import { ErrorNotice, Loading } from '../components/notices';
import { formatDate, formatInstant, relativeTo } from '../format';
import { useSession } from '../session';
import { RangePicker, UsageChart } from './usage/usage-chart';
import { RANGES, parseRange, rangeOf, rangeQuery } from './usage/usage-model';

const DAY = 86_400_000;
const EXPIRY_WINDOW_DAYS = 30;
const UNUSED_DAYS = 30;
/** Rows listed per card; the keys page shows all of them. */
const LISTED = 10;

/** Every active key of the company (pages of 500), for the expiry card. */
function useActiveKeys() {
  const { client } = useSession();
  return useQuery({
    queryKey: ['keys', 'overview', 'active'],
    queryFn: async () => {
      const all: ApiKey[] = [];
      let cursor: string | undefined;
      do {
        const page: KeyPage = await client.get('/v1/keys', { params: { query: { status: ['active'], limit: 500, cursor } } });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
  });
}

/** The instant an active key stops working: its grace end once replaced, else its expiry. */
const endOf = (k: ApiKey) => (k.replacedBy && k.graceEndsAt ? k.graceEndsAt : k.expiresAt);

/**
 * The console's landing page: the company's requests over time by status, its busiest keys and
 * refusals by reason (GET /v1/usage), and the keys that need attention — expiring within 30 days,
 * never used or unused for 30 days (GET /v1/keys).
 */
export function OverviewPage() {
  const { client } = useSession();
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get('range'));
  const setRange = (r: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.set('range', r);
        return next;
      },
      { replace: true },
    );

  const usage = useQuery({
    queryKey: ['usage', 'company', range],
    queryFn: () => client.get('/v1/usage', { params: { query: { ...rangeQuery(range, Date.now()), groupBy: 'key' } } }),
    placeholderData: (previous) => previous,
  });
  const active = useActiveKeys();
  const unusedSince = useMemo(() => new Date(Date.now() - UNUSED_DAYS * DAY).toISOString(), []);
  const unused = useQuery({
    queryKey: ['keys', 'overview', 'unused', unusedSince],
    queryFn: () => client.get('/v1/keys', { params: { query: { status: ['active'], unusedSince, sort: 'lastUsedAt', order: 'asc', limit: 500 } } }),
  });

  const expiring = useMemo(() => {
    const now = Date.now();
    return (active.data ?? [])
      .filter((k) => {
        const end = endOf(k);
        return end !== null && Date.parse(end) - now <= EXPIRY_WINDOW_DAYS * DAY;
      })
      .sort((a, b) => Date.parse(endOf(a)!) - Date.parse(endOf(b)!));
  }, [active.data]);

  // what is on screen: the previous range stays there while the chosen one loads
  const rangeLabel = RANGES[usage.data ? rangeOf(usage.data.granularity) : range].label.toLowerCase();
  return (
    <section aria-labelledby="overview-title" className="overview">
      <div className="toolbar">
        <h1 id="overview-title" className="grow">
          Overview
        </h1>
        <RangePicker value={range} onChange={setRange} />
      </div>

      <section className="card" aria-labelledby="overview-requests">
        <h2 id="overview-requests">Requests over time</h2>
        <ErrorNotice error={usage.error} />
        {usage.isPlaceholderData && <Loading what={RANGES[range].label.toLowerCase()} />}
        {usage.isPending ? <Loading what="usage" /> : usage.data && <UsageChart series={usage.data} title="Requests" />}
      </section>

      <div className="overview-grid">
        <section className="card" aria-labelledby="overview-top">
          <h2 id="overview-top">Top keys</h2>
          <p className="field-hint">The busiest keys of the {rangeLabel}, refusals included.</p>
          {usage.data && <TopKeys usage={usage.data} />}
        </section>
        <section className="card" aria-labelledby="overview-refused">
          <h2 id="overview-refused">Refused requests by reason</h2>
          <p className="field-hint">Requests whose key was refused in the {rangeLabel} (keys of unknown companies are not counted here).</p>
          {usage.data && <RefusedByReason usage={usage.data} />}
        </section>
        <section className="card" aria-labelledby="overview-expiring">
          <h2 id="overview-expiring">Keys expiring in the next {EXPIRY_WINDOW_DAYS} days</h2>
          <ErrorNotice error={active.error} />
          {active.isPending ? (
            <Loading what="keys" />
          ) : (
            active.data && (
              <KeyList
                label={`Keys expiring in the next ${EXPIRY_WINDOW_DAYS} days`}
                keys={expiring}
                empty={`No active key expires in the next ${EXPIRY_WINDOW_DAYS} days.`}
                column="Expires"
                value={(k) => (
                  <span title={formatInstant(endOf(k))}>
                    {formatDate(endOf(k))} <span className="sub">{relativeTo(endOf(k))}</span>
                  </span>
                )}
              />
            )
          )}
        </section>
        <section className="card" aria-labelledby="overview-unused">
          <h2 id="overview-unused">Unused keys</h2>
          <ErrorNotice error={unused.error} />
          {unused.isPending ? <Loading what="keys" /> : unused.data && <UnusedKeys page={unused.data} />}
        </section>
      </div>
    </section>
  );
}

function TopKeys({ usage }: { usage: CompanyUsage }) {
  const keys = usage.keys ?? [];
  if (keys.length === 0) return <p className="empty">No key made a request in this range.</p>;
  return (
    <table aria-label="Top keys">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Requests</th>
          <th scope="col">Refused</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.keyId}>
            <td>
              <Link to={`/keys/${k.keyId}`}>{k.name ?? `${k.keyId.slice(0, 8)}… (deleted)`}</Link>
            </td>
            <td>{k.total.toLocaleString('en')}</td>
            <td>{k.refused.toLocaleString('en')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RefusedByReason({ usage }: { usage: CompanyUsage }) {
  const reasons = usage.refusedByReason;
  const labels = useMemo(() => reasons.map((r) => r.reason), [reasons]);
  const series = useMemo(() => [{ label: 'Refused requests', color: '#7D4E9F', values: reasons.map((r) => r.count) }], [reasons]);
  if (reasons.length === 0) return <p className="empty">No refused requests in this range.</p>;
  const total = reasons.reduce((n, r) => n + r.count, 0);
  return (
    <>
      <BarChart
        labels={labels}
        series={series}
        horizontal
        height={Math.max(120, 40 + reasons.length * 34)}
        xTitle="Reason"
        yTitle="Refused requests"
        summary={`Refused requests by reason: ${reasons.map((r) => `${r.reason} ${r.count}`).join(', ')}; ${total} in all.`}
      />
      <table aria-label="Refused requests by reason">
        <thead>
          <tr>
            <th scope="col">Reason</th>
            <th scope="col">Requests</th>
          </tr>
        </thead>
        <tbody>
          {reasons.map((r) => (
            <tr key={r.reason}>
              <td>
                <code>{r.reason}</code>
              </td>
              <td>{r.count.toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function UnusedKeys({ page }: { page: KeyPage }) {
  const never = page.items.filter((k) => k.lastUsedAt === null);
  const stale = page.items.filter((k) => k.lastUsedAt !== null);
  const more = page.nextCursor ? '+' : '';
  return (
    <>
      <p>
        <strong data-unused="never">
          {never.length}
          {more}
        </strong>{' '}
        active key{never.length === 1 ? '' : 's'} never used,{' '}
        <strong data-unused="stale">
          {stale.length}
          {more}
        </strong>{' '}
        not used for {UNUSED_DAYS} days.{' '}
        <Link to={`/keys?status=active&unused=${UNUSED_DAYS}d&sort=lastUsedAt&order=asc`}>Review them on the keys page</Link>
      </p>
      <KeyList
        label="Unused keys"
        keys={page.items}
        empty={`Every active key was used in the last ${UNUSED_DAYS} days.`}
        column="Last used"
        value={(k) => (k.lastUsedAt ? <span title={formatInstant(k.lastUsedAt)}>{relativeTo(k.lastUsedAt)}</span> : 'Never')}
      />
    </>
  );
}

function KeyList({ label, keys, empty, column, value }: { label: string; keys: ApiKey[]; empty: string; column: string; value: (k: ApiKey) => ReactNode }) {
  if (keys.length === 0) return <p className="empty">{empty}</p>;
  return (
    <>
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">{column}</th>
          </tr>
        </thead>
        <tbody>
          {keys.slice(0, LISTED).map((k) => (
            <tr key={k.id}>
              <td>
                <Link to={`/keys/${k.id}`}>{k.name}</Link> <code className="sub">{k.start}…</code>
              </td>
              <td>{value(k)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.length > LISTED && <p className="field-hint">{keys.length - LISTED} more not listed here.</p>}
    </>
  );
}
