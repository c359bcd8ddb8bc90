// The unread-notification count shown on the bell: polled every 30 s and refreshed after the inbox changes.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get } from './api.ts';

interface UnreadState {
  count: number;
  refresh(): void;
}

const UnreadContext = createContext<UnreadState>({ count: 0, refresh: () => undefined });

export const UNREAD_POLL_MS = 30_000;

export function UnreadProvider({ children }: { children: ReactNode }) {
  const [count, setCount] = useState(0);
  const refresh = useCallback(() => {
    get<{ count: number }>('/api/notifications/unread-count')
      .then((r) => setCount(r.count))
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    refresh();
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') refresh();
    }, UNREAD_POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);
  const value = useMemo(() => ({ count, refresh }), [count, refresh]);
  return <UnreadContext.Provider value={value}>{children}</UnreadContext.Provider>;
}

export function useUnread(): UnreadState {
  return useContext(UnreadContext);
}
