import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../components/notices';
import { useSessionState } from '../session';

/** Sign-in is pasting an API key; it is checked with GET /v1/me and kept for this tab only. */
export function SignInPage() {
  const { signIn, endedBecause } = useSessionState();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Keyward console</h1>
        <p>Sign in by pasting an API key. It stays in this browser tab only (session storage) and is sent in the <code>x-api-key</code> header.</p>
        {endedBecause && (
          <div className="notice notice-info" role="status">
            {endedBecause}
          </div>
        )}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="kw_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
        />
        <ErrorNotice error={error} />
        <button type="submit" className="primary" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
