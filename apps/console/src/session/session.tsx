import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError, Schemas, unwrap, useCsrfToken as setCsrfToken, whenSignedOut } from '../api/client';

export type SessionView = Schemas['SessionView'];
/** A team member's roles, and `reporter`: a contact's portal account, which reaches the reporting forms only. */
export type Role = Schemas['Role'];

interface SessionState {
  /** undefined while the first check runs; null when signed out. */
  session: SessionView | null | undefined;
  /** Why the user was signed out, when it was not their choice. */
  endedBecause: 'expired' | null;
  signedIn(session: SessionView): void;
  signOut(everywhere?: boolean): Promise<void>;
  hasRole(...roles: Role[]): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

/** The signed-in team member, checked once at load and dropped when the API answers 401. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [endedBecause, setEndedBecause] = useState<'expired' | null>(null);

  useEffect(() => {
    unwrap(api.GET('/auth/session'))
      .then((found) => {
        // Set before the screens below mount: their effects run before this provider's.
        setCsrfToken(found.csrfToken);
        setSession(found);
      })
      .catch(() => setSession(null));
  }, []);

  useEffect(() => {
    setCsrfToken(session?.csrfToken ?? null);
    whenSignedOut(() => {
      setEndedBecause('expired');
      setSession(null);
    });
    return () => whenSignedOut(null);
  }, [session]);

  const signOut = useCallback(async (everywhere = false) => {
    try {
      await unwrap(everywhere ? api.POST('/auth/sign-out-everywhere') : api.POST('/auth/sign-out'));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
    }
    setEndedBecause(null);
    setSession(null);
  }, []);

  const value = useMemo<SessionState>(
    () => ({
      session,
      endedBecause,
      signedIn(next) {
        setCsrfToken(next.csrfToken);
        setEndedBecause(null);
        setSession(next);
      },
      signOut,
      hasRole: (...roles) => !!session && roles.some((role) => (session.user.roles as string[]).includes(role)),
    }),
    [session, endedBecause, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
