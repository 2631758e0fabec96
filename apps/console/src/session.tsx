import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from './api/client';
import { ApiError, describeError } from './api/problem';
import type { Me, Permission } from './api/types';

/**
 * The signed-in key lives in sessionStorage only: gone when the tab closes, never in a
 * URL, a cookie or localStorage, never logged.
 */
const STORAGE_KEY = 'keyward.console.apiKey';

export interface Session {
  me: Me;
  client: ApiClient;
  /** The signed-in key, for the playground's "send with the signed-in key". */
  key: string;
  can(permission: Permission): boolean;
  signOut(message?: string): void;
}

interface SessionState {
  session: Session | null;
  /** Why the last session ended (a refused key), shown on the sign-in form. */
  endedBecause: string | null;
  signIn(key: string): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function readStoredKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function SessionProvider({ initial, children }: { initial: { key: string; me: Me } | null; children: ReactNode }) {
  const [current, setCurrent] = useState(initial);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setCurrent(null);
    setEndedBecause(message ?? null);
  }, []);

  const signIn = useCallback(async (key: string) => {
    const me = await new ApiClient(key).get('/v1/me');
    sessionStorage.setItem(STORAGE_KEY, key);
    setEndedBecause(null);
    setCurrent({ key, me });
  }, []);

  const session = useMemo<Session | null>(() => {
    if (!current) return null;
    const client = new ApiClient(current.key, (error: ApiError) =>
      signOut(`The API refused the signed-in key: ${describeError(error)} Sign in with a valid key.`),
    );
    const granted = new Set<Permission>(current.me.permissions);
    return { me: current.me, key: current.key, client, can: (p) => granted.has(p), signOut };
  }, [current, signOut]);

  const state = useMemo(() => ({ session, endedBecause, signIn }), [session, endedBecause, signIn]);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSessionState outside SessionProvider');
  return state;
}

/** The signed-in session; pages render only inside the signed-in layout. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) throw new Error('useSession without a signed-in key');
  return session;
}
