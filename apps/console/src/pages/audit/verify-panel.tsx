import { useMutation } from '@tanstack/react-query';
import { ErrorNotice } from '../../components/notices';
import { formatInstant } from '../../format';
import { useSession } from '../../session';
import { describeVerification } from './describe';
import type { AuditVerification } from '../../api/types';

/**
 * The verify button: recomputes the hash chain (the whole log for the operator company, the
 * company's own events otherwise) and holds it against the signed checkpoints.
 */
export function useVerification() {
  const { client } = useSession();
  return useMutation({
    mutationFn: async () => ({ result: await client.get('/v1/audit-events/verify'), at: new Date().toISOString() }),
  });
}

export function VerifyButton({ verification }: { verification: ReturnType<typeof useVerification> }) {
  return (
    <button type="button" className="primary" onClick={() => verification.mutate()} disabled={verification.isPending}>
      {verification.isPending ? 'Verifying…' : 'Verify integrity'}
    </button>
  );
}

/**
 * The verification's answer in plain words. The role="status" region is always present, so
 * the answer is announced when it arrives.
 */
export function VerifyResult({ verification }: { verification: ReturnType<typeof useVerification> }) {
  const data = verification.data;
  const described = data ? describeVerification(data.result) : null;
  return (
    <>
      <div role="status" aria-label="Integrity check" className="audit-verify-status">
        {verification.isPending && <p className="muted">Recomputing every hash of the log…</p>}
        {!verification.isPending && data && described && (
          <div className={`notice ${described.ok ? 'notice-success' : 'notice-error'} audit-verify`}>
            <p className="audit-verify-headline">
              <strong>{described.headline}</strong>
              <span className="muted"> · checked {formatInstant(data.at)}</span>
            </p>
            <ul>
              {described.lines.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            {data.result.head && (
              <dl className="facts">
                <dt>{headLabel(data.result.scope, described.ok)}</dt>
                <dd>{data.result.head.position}</dd>
                <dt>{described.ok ? 'Head hash' : 'Last intact hash'}</dt>
                <dd>
                  <code className="hash">{data.result.head.hash}</code>
                </dd>
              </dl>
            )}
          </div>
        )}
      </div>
      {!verification.isPending && <ErrorNotice error={verification.error} />}
    </>
  );
}

/** The operator company sees the log's head; another company its own last event. */
function headLabel(scope: AuditVerification['scope'], ok: boolean): string {
  if (scope === 'company') return ok ? "Your company's last event" : 'Last intact event of your company';
  return ok ? 'Head position' : 'Last intact position';
}
