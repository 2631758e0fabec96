import { formatInstant, relativeTo } from '../../format';

/** react-query keys of the page: the status (no secret in it) and the shared secret's metadata. */
export const STATUS_QUERY_KEY = ['system', 'status'] as const;
export const SHARED_SECRET_QUERY_KEY = ['system', 'shared-secret'] as const;

/** The outcome of an action, announced: success as a status, failure as an alert. */
export interface Result {
  ok: boolean;
  text: string;
}

export function Announcement({ result }: { result: Result }) {
  return result.ok ? (
    <div className="notice notice-success" role="status">
      {result.text}
    </div>
  ) : (
    <div className="notice notice-warn" role="alert">
      {result.text}
    </div>
  );
}

/** An instant in the viewer's zone, "3 minutes ago" beside it, the ISO value in the title. */
export function When({ iso, empty = '—' }: { iso: string | null | undefined; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatInstant(iso)} <span className="muted">({relativeTo(iso)})</span>
    </time>
  );
}
