import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/problem';
import type { CentralStatus } from '../../api/types';
import { ErrorNotice } from '../../components/notices';
import { useSession } from '../../session';
import { ConfirmDialog } from './confirm-dialog';
import { describeCentral, describeCheck, describeOutcome } from './system-model';
import { Announcement, type Result, STATUS_QUERY_KEY, When } from './shared';

/** The central API banner: status in words, and the actions that make sense in it. */
export function CentralSection({ central, secretExists }: { central: CentralStatus; secretExists: boolean | undefined }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const view = describeCentral(central);
  const headingId = useId();
  const [result, setResult] = useState<Result | null>(null);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);

  const refresh = () => queryClient.invalidateQueries({ queryKey: STATUS_QUERY_KEY });

  const check = useMutation({
    mutationFn: () => client.post('/v1/system/central/check'),
    onMutate: () => setResult(null),
    onSuccess: (r) => setResult(describeCheck(r)),
    onSettled: refresh,
  });

  const deactivate = useMutation({
    mutationFn: () => client.delete('/v1/system/central'),
    onMutate: () => setResult(null),
    onSuccess: () =>
      setResult({
        ok: true,
        text: 'The central link is deactivated: nothing is sent to the central service any more, and the stored central API key is no longer used.',
      }),
    onSettled: () => {
      setConfirmDeactivate(false);
      return refresh();
    },
  });

  const busy = check.isPending || deactivate.isPending;
  const actionError = check.error ?? deactivate.error;

  return (
    <section className="card system-card" aria-labelledby={headingId}>
      <h2 id={headingId}>Central API</h2>
      <div className={`system-banner system-banner-${view.tone}`}>
        <span className={`badge badge-${view.tone}`}>{view.label}</span>
        <p className="system-banner-text">{view.sentence}</p>
      </div>

      <dl className="facts">
        <dt>CENTRAL_URL</dt>
        <dd>{central.url ? <code>{central.url}</code> : <span className="muted">not set</span>}</dd>
        <dt>Installation ID</dt>
        <dd>{central.installationId ? <code>{central.installationId}</code> : <span className="muted">none yet (chosen at the first activation)</span>}</dd>
        <dt>Activated</dt>
        <dd>
          <When iso={central.activatedAt} empty="not activated" />
        </dd>
        <dt>Last check</dt>
        <dd>
          {central.lastCheckAt ? (
            <>
              <When iso={central.lastCheckAt} /> — {describeOutcome(central.lastCheckOutcome)}
            </>
          ) : (
            <span className="muted">never checked</span>
          )}
        </dd>
        <dt>Last heartbeat accepted</dt>
        <dd>
          <When iso={central.lastHeartbeatAt} empty="none" />
        </dd>
      </dl>

      {(view.canContact || view.canDeactivate) && (
        <div className="toolbar system-actions">
          {view.canContact && (
            <button type="button" className="primary" onClick={() => check.mutate()} disabled={busy}>
              {check.isPending ? 'Checking…' : 'Check connection'}
            </button>
          )}
          {view.canDeactivate && (
            <button type="button" className="danger" onClick={() => setConfirmDeactivate(true)} disabled={busy}>
              Deactivate
            </button>
          )}
        </div>
      )}

      {result && <Announcement result={result} />}
      <ErrorNotice error={actionError} />

      {view.canActivate &&
        (view.activatePrimary ? (
          <ActivateForm url={central.url} secretExists={secretExists} onResult={setResult} replacing={central.activatedAt !== null} />
        ) : (
          <details className="system-details">
            <summary>Replace the central API key</summary>
            <ActivateForm url={central.url} secretExists={secretExists} onResult={setResult} replacing />
          </details>
        ))}

      <ConfirmDialog
        open={confirmDeactivate}
        title="Deactivate the central link?"
        confirmLabel="Yes, deactivate"
        danger
        busy={deactivate.isPending}
        onConfirm={() => deactivate.mutate()}
        onClose={() => setConfirmDeactivate(false)}
      >
        <p>
          Keyward stops contacting the central service{central.url ? <> at <code>{central.url}</code></> : null}: no check and no
          heartbeat is sent any more. The telemetry switch keeps its position but pauses. To link again, you will need the central
          API key again.
        </p>
        <p className="muted">The deactivation is recorded in the audit trail (CentralDeactivated).</p>
      </ConfirmDialog>
    </section>
  );
}

/**
 * The central key: a password input, sent once in the body of PUT /v1/system/central and
 * cleared on success. It is never echoed, never put in a URL, and not kept by react-query
 * (the mutation takes no variables; the key is read from the field when it runs).
 */
function ActivateForm({
  url,
  secretExists,
  replacing,
  onResult,
}: {
  url: string | null;
  secretExists: boolean | undefined;
  replacing: boolean;
  onResult: (r: Result | null) => void;
}) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const inputId = useId();
  const hintId = useId();
  const [apiKey, setApiKey] = useState('');

  const activate = useMutation({
    mutationFn: () => client.put('/v1/system/central', { body: { apiKey: apiKey.trim() } }),
    onMutate: () => onResult(null),
    onSuccess: () => {
      setApiKey('');
      onResult({
        ok: true,
        text: 'Activated: the central service accepted the key, and it is stored encrypted. It will not be shown again.',
      });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: STATUS_QUERY_KEY }),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (apiKey.trim()) activate.mutate();
  };

  const noSecret = secretExists === false;
  // the API names the field on a refused key (422 CENTRAL_KEY_REJECTED) or a malformed one (400)
  const invalid = activate.error instanceof ApiError && activate.error.fieldMessage('apiKey') !== undefined;

  return (
    <form onSubmit={submit} className="system-activate" aria-label={replacing ? 'Activate with a new central API key' : 'Activate the central link'}>
      {noSecret && (
        <div className="notice notice-info" role="note">
          Every request to the central service is signed with this company&apos;s shared secret, and there is none yet. Create it
          first with <strong>Rotate shared secret</strong> (below), then activate.
        </div>
      )}
      <div className="row">
        <div>
          <label htmlFor={inputId}>Central API key</label>
          <input
            id={inputId}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            aria-describedby={hintId}
            aria-invalid={invalid || undefined}
            disabled={activate.isPending}
          />
        </div>
        <div className="shrink">
          <button type="submit" className="primary" disabled={activate.isPending || !apiKey.trim() || noSecret}>
            {activate.isPending ? 'Activating…' : 'Activate'}
          </button>
        </div>
      </div>
      <p id={hintId} className="field-hint">
        The key the central service issued for this installation. Keyward first checks it
        {url ? <> against <code>{url}</code></> : null} (POST /v1/activate); only if it is accepted is it stored, encrypted, and
        it is never shown again.{replacing ? ' It replaces the stored key.' : ''}
      </p>
      <ErrorNotice error={activate.error} />
    </form>
  );
}
