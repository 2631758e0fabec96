import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { BrowserRouter, NavLink, Navigate, Route, Routes } from 'react-router';
import { ApiClient } from './api/client';
import { ApiError } from './api/problem';
import type { Me, Permission } from './api/types';
import { ErrorNotice, Loading } from './components/notices';
import { AuditPage } from './pages/audit-page';
import { KeyDetailPage } from './pages/key-detail-page';
import { KeysPage } from './pages/keys-page';
import { OverviewPage } from './pages/overview-page';
import { PlaygroundPage } from './pages/playground-page';
import { SignInPage } from './pages/sign-in-page';
import { SystemPage } from './pages/system-page';
import { UsersPage } from './pages/users-page';
import { WebhooksPage } from './pages/webhooks-page';
import { SessionProvider, readStoredKey, useSession, useSessionState } from './session';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a 503 or no answer may.
      retry: (count, error) => count < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      refetchOnWindowFocus: false,
      staleTime: 5_000,
    },
  },
});

interface PageEntry {
  path: string;
  label: string;
  needs: Permission | null;
  element: ReactNode;
}

// the first page the signed-in key may open is its landing page
const PAGES: PageEntry[] = [
  { path: 'overview', label: 'Overview', needs: 'keys:read', element: <OverviewPage /> },
  { path: 'keys', label: 'API keys', needs: 'keys:read', element: <KeysPage /> },
  { path: 'users', label: 'Users', needs: 'users:read', element: <UsersPage /> },
  { path: 'audit', label: 'Audit', needs: 'audit:read', element: <AuditPage /> },
  { path: 'system', label: 'System', needs: 'admin.system.api', element: <SystemPage /> },
  { path: 'webhooks', label: 'Webhooks', needs: 'admin.system.api', element: <WebhooksPage /> },
  { path: 'playground', label: 'Playground', needs: null, element: <PlaygroundPage /> },
];

export function App() {
  // A key kept from earlier in this tab is checked again before anything is shown.
  const [initial, setInitial] = useState<{ key: string; me: Me } | null | undefined>(undefined);
  const [unreachable, setUnreachable] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const key = readStoredKey();
    if (!key) return setInitial(null);
    new ApiClient(key)
      .get('/v1/me')
      .then((me) => {
        setUnreachable(null);
        setInitial({ key, me });
      })
      .catch((err: unknown) => {
        // only a refused key ends the session; a server that is down or restarting keeps it for a retry
        if (err instanceof ApiError && err.status === 401) {
          sessionStorage.clear();
          setInitial(null);
        } else setUnreachable(err);
      });
  }, [attempt]);
  if (unreachable) {
    return (
      <main className="sign-in" id="main">
        <div className="card">
          <h1>Keyward console</h1>
          <ErrorNotice error={unreachable} />
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                sessionStorage.clear();
                setUnreachable(null);
                setInitial(null);
              }}
            >
              Sign in with another key
            </button>
            <button type="button" className="primary" onClick={() => (setUnreachable(null), setAttempt((n) => n + 1))}>
              Try again
            </button>
          </div>
        </div>
      </main>
    );
  }
  if (initial === undefined) return <Loading what="the console" />;
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider initial={initial}>
        {/* Pages keep their filters in the URL and bind controls to it (the keys page's status
            checkboxes, the audit filters). A router update inside startTransition (React Router's
            default) commits after the click, so a controlled checkbox snaps back to the old URL's
            state until then, and a second change made meanwhile starts from the old URL and undoes
            the first. No route suspends, so nothing is gained by deferring: updates are immediate. */}
        <BrowserRouter basename="/console" useTransitions={false}>
          <Shell />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}

function Shell() {
  const { session } = useSessionState();
  useEffect(() => {
    if (!session) queryClient.clear();
  }, [session]);
  if (!session) return <SignInPage />;
  return <SignedIn />;
}

function SignedIn() {
  const session = useSession();
  const visible = PAGES.filter((p) => !p.needs || session.can(p.needs));
  const home = visible[0]?.path ?? 'playground';
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Keyward</span>
        <span className="who" aria-label="Signed-in key">
          key <code>{session.me.keyId.slice(0, 8)}</code> · {session.me.permissions.length} permission
          {session.me.permissions.length === 1 ? '' : 's'}
        </span>
        <button
          type="button"
          onClick={() => {
            // ends the queue dashboard sessions of this key too (best effort: the key may already be refused)
            if (session.can('admin.system.api')) {
              session.client.dashboardSession('close').catch(() => undefined);
            }
            session.signOut();
          }}
        >
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Console">
        <ul>
          {visible.map((p) => (
            <li key={p.path}>
              <NavLink to={`/${p.path}`}>{p.label}</NavLink>
            </li>
          ))}
          <li>
            <a href="/docs" target="_blank" rel="noreferrer">
              OpenAPI reference ↗
            </a>
          </li>
        </ul>
      </nav>
      <main id="main" className="content">
        <Routes>
          <Route index element={<Navigate to={`/${home}`} replace />} />
          {PAGES.map((p) => (
            <Route
              key={p.path}
              path={`/${p.path}`}
              element={!p.needs || session.can(p.needs) ? p.element : <Forbidden page={p.label} needs={p.needs} />}
            />
          ))}
          <Route path="/keys/:id" element={session.can('keys:read') ? <KeyDetailPage /> : <Forbidden page="API key" needs="keys:read" />} />
          <Route path="*" element={<Navigate to={`/${home}`} replace />} />
        </Routes>
      </main>
    </div>
  );
}

function Forbidden({ page, needs }: { page: string; needs: string }) {
  return (
    <section>
      <h1>{page}</h1>
      <div className="notice notice-info" role="note">
        The signed-in key cannot open this page: it needs the <code>{needs}</code> permission.
      </div>
    </section>
  );
}
