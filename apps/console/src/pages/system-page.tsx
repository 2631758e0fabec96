import { useQuery } from '@tanstack/react-query';
import { ErrorNotice, Loading } from '../components/notices';
import { formatInstant } from '../format';
import { useSession } from '../session';
import { CentralSection } from './system/central-section';
import { QueuesSection } from './system/queues-section';
import { SharedSecretSection } from './system/shared-secret-section';
import { SHARED_SECRET_QUERY_KEY, STATUS_QUERY_KEY } from './system/shared';
import { TelemetrySection } from './system/telemetry-section';

/** How often the status (queues, lag, last contact) is read again while the page is open. */
const REFRESH_MS = 15_000;

/**
 * The installation's central link, telemetry, the company's shared secret, queue depths and
 * projection lag, and the version (admin.system.api; the route is hidden for other keys).
 */
export function SystemPage() {
  const { client } = useSession();
  const status = useQuery({
    queryKey: STATUS_QUERY_KEY,
    queryFn: () => client.get('/v1/system/status'),
    refetchInterval: REFRESH_MS,
  });
  // the same query as the shared secret section (one request): activation needs the secret
  const secret = useQuery({
    queryKey: SHARED_SECRET_QUERY_KEY,
    queryFn: () => client.get('/v1/shared-secret'),
  });

  return (
    <section aria-labelledby="system-title">
      <div className="system-head">
        <h1 id="system-title">System</h1>
        {status.data && (
          <p className="muted system-head-meta">
            Keyward version <strong className="version">{status.data.version}</strong> · status as of{' '}
            {formatInstant(new Date(status.dataUpdatedAt).toISOString())}{' '}
            <button type="button" className="link-button" onClick={() => void status.refetch()} disabled={status.isFetching}>
              {status.isFetching ? 'Refreshing…' : 'Refresh'}
            </button>
          </p>
        )}
      </div>

      {status.data ? (
        <>
          {status.isError && (
            <ErrorNotice error={status.error}>Reading the status again failed; what is shown is from {formatInstant(new Date(status.dataUpdatedAt).toISOString())}. </ErrorNotice>
          )}
          <CentralSection central={status.data.central} secretExists={secret.data?.exists} />
          <div className="system-grid">
            <TelemetrySection status={status.data} />
            <div>
              <SharedSecretSection />
              <QueuesSection status={status.data} />
            </div>
          </div>
        </>
      ) : status.isError ? (
        <>
          <ErrorNotice error={status.error}>The system status could not be read. </ErrorNotice>
          <SharedSecretSection />
        </>
      ) : (
        <Loading what="the system status" />
      )}
    </section>
  );
}
