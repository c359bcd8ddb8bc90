// Who is logged in. Loaded from /api/auth/me at start; a 401 anywhere sends the user back to the login page.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, get, onUnauthorized, post } from './api.ts';
import type { Me, Role } from './types.ts';

interface AuthState {
  me: Me | null;
  loading: boolean;
  setMe(me: Me | null): void;
  refresh(): Promise<void>;
  logout(everywhere?: boolean): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    try {
      setMe(await get<Me>('/api/auth/me'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else throw e;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => setLoading(false));
    onUnauthorized(() => setMe(null));
    return () => onUnauthorized(null);
  }, [refresh]);

  const logout = useCallback(async (everywhere = false) => {
    try {
      await post(everywhere ? '/api/auth/logout-all' : '/api/auth/logout', undefined, { noAuthRedirect: true });
    } finally {
      setMe(null);
    }
  }, []);

  const value = useMemo(() => ({ me, loading, setMe, refresh, logout }), [me, loading, refresh, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

export function hasRole(me: Me | null, ...roles: Role[]): boolean {
  return !!me && me.roles.some((r) => roles.includes(r));
}
