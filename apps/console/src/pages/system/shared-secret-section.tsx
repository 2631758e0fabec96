import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { Dialog } from '../../components/dialog';
import { ErrorNotice, Loading } from '../../components/notices';
import { useSession } from '../../session';
import { ConfirmDialog } from './confirm-dialog';
import { SHARED_SECRET_QUERY_KEY, When } from './shared';
import type { SharedSecretValue } from '../../api/types';

type Shown = { how: 'rotated' | 'revealed'; value: SharedSecretValue };

/**
 * The company's shared secret: metadata from GET /v1/shared-secret; the secret itself only in
 * the dialog after rotate or reveal. It is held in this component's state while the dialog is
 * open and dropped when it closes: never in the react-query cache, a URL, storage or the log.
 */
export function SharedSecretSection() {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const headingId = useId();
  const metadata = useQuery({
    queryKey: SHARED_SECRET_QUERY_KEY,
    queryFn: () => client.get('/v1/shared-secret'),
  });
  const [confirm, setConfirm] = useState<'rotate' | 'reveal' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const rotateRef = useRef<HTMLButtonElement>(null);
  const revealRef = useRef<HTMLButtonElement>(null);

  // drops the secret (the only copy the page holds) and puts focus back on the button that led to it
  const closeSecret = () => {
    const back = shown?.how === 'revealed' ? revealRef : rotateRef;
    setShown(null);
    requestAnimationFrame(() => back.current?.focus());
  };

  const exists = metadata.data?.exists === true;

  // Plain calls, not useMutation: a mutation's result would stay in the mutation cache.
  const run = async (how: 'rotate' | 'reveal') => {
    setBusy(true);
    setError(null);
    try {
      const value = await (how === 'rotate' ? client.post('/v1/shared-secret/rotate', { body: {} }) : client.post('/v1/shared-secret/reveal'));
      setShown({ how: how === 'rotate' ? 'rotated' : 'revealed', value });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setConfirm(null);
      void queryClient.invalidateQueries({ queryKey: SHARED_SECRET_QUERY_KEY });
    }
  };

  const rotate = () => (exists ? setConfirm('rotate') : void run('rotate'));

  return (
    <section className="card system-card" aria-labelledby={headingId}>
      <h2 id={headingId}>Shared secret</h2>
      <p>
        This company&apos;s shared secret signs every request Keyward makes to the central service (the Keyward-Signature header,
        HMAC-SHA-256), so the central service can tell they come from this installation: give it the secret. It is stored
        encrypted; only its fingerprint is shown here.
      </p>
      {metadata.isPending ? (
        <Loading what="the shared secret" />
      ) : metadata.isError ? (
        <ErrorNotice error={metadata.error} />
      ) : (
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            {exists ? <span className="badge badge-ok">Exists</span> : <span className="badge badge-neutral">None yet</span>}
          </dd>
          <dt>Fingerprint</dt>
          <dd>{metadata.data.fingerprint ? <code>{metadata.data.fingerprint}</code> : <span className="muted">—</span>}</dd>
          <dt>Created</dt>
          <dd>
            <When iso={metadata.data.createdAt} />
          </dd>
          <dt>Last rotated</dt>
          <dd>
            <When iso={metadata.data.rotatedAt} empty="never" />
          </dd>
        </dl>
      )}
      <div className="toolbar system-actions">
        <button ref={rotateRef} type="button" className={exists ? undefined : 'primary'} onClick={rotate} disabled={busy || metadata.isPending}>
          {busy && confirm === null && !exists ? 'Creating…' : 'Rotate shared secret'}
        </button>
        <button ref={revealRef} type="button" onClick={() => setConfirm('reveal')} disabled={busy || !exists}>
          Reveal shared secret
        </button>
      </div>
      {!exists && metadata.isSuccess && (
        <p className="field-hint">There is no shared secret yet: rotating creates the first one. The central link needs it.</p>
      )}
      <ErrorNotice error={error} />

      <ConfirmDialog
        open={confirm === 'rotate'}
        title="Rotate the shared secret?"
        confirmLabel="Rotate now"
        danger
        busy={busy}
        onConfirm={() => void run('rotate')}
        onClose={() => setConfirm(null)}
      >
        <p>
          A new secret replaces the current one{metadata.data?.fingerprint ? <> (<code>{metadata.data.fingerprint}</code>)</> : null} at
          once: the current one signs nothing more. Give the new secret to the central service, or it will refuse Keyward&apos;s
          requests. The new secret is shown once, in the next dialog.
        </p>
        <p className="muted">The rotation is recorded in the audit trail (SharedSecretRotated).</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirm === 'reveal'}
        title="Reveal the shared secret?"
        confirmLabel="Reveal and record it"
        busy={busy}
        onConfirm={() => void run('reveal')}
        onClose={() => setConfirm(null)}
      >
        <p>
          The reveal is recorded in the audit trail (SharedSecretRevealed) with the signed-in key, the time and the fingerprint, before
          the secret is shown.
        </p>
      </ConfirmDialog>

      <Dialog open={shown !== null} title={shown?.how === 'revealed' ? 'The shared secret' : 'New shared secret'} onClose={closeSecret}>
        {shown && <SecretBody shown={shown} onClose={closeSecret} />}
      </Dialog>
    </section>
  );
}

/** The dialog's content: unmounted (with the secret) as soon as the dialog closes. */
function SecretBody({ shown, onClose }: { shown: Shown; onClose: () => void }) {
  const inputId = useId();
  const [copied, setCopied] = useState<'done' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shown.value.secret);
      setCopied('done');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <>
      <p>
        {shown.how === 'rotated'
          ? 'Copy it now and give it to the central service. It is shown this once; closing this dialog removes it from the page.'
          : 'Copy it and give it to the central service. Closing this dialog removes it from the page.'}
      </p>
      <label htmlFor={inputId}>Shared secret value</label>
      <div className="secret-box">
        <input
          id={inputId}
          type="text"
          readOnly
          value={shown.value.secret}
          autoComplete="off"
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="field-hint">
        Fingerprint <code>{shown.value.fingerprint}</code>
      </p>
      {copied === 'done' && (
        <div className="notice notice-success" role="status">
          Copied to the clipboard.
        </div>
      )}
      {copied === 'failed' && (
        <div className="notice notice-warn" role="alert">
          The browser did not allow copying to the clipboard: select the text in the field and copy it.
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </>
  );
}
