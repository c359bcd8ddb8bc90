// Loading a page's data: one object fetched once (an error kept for the page to show), or a list (`{ items }`)
// fetched on mount and again on `load()` (the error cleared first, an empty list on failure).
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, get, type Query } from './api.ts';

/** GET `path` once on mount: the answer (null until it comes) and the error message of a failure. */
export function useGet<T>(path: string): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<T>(path)
      .then(setData)
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [path]);
  return { data, error };
}

/**
 * GET `path` (an `{ items }` answer) on mount and on `load()`, and again when `path` or `query` (by value) change:
 * the items (null until the first answer, empty after a failure) and the error message of the last load.
 */
export function useList<T>(path: string, query?: Query): { items: T[] | null; error: string | null; load(): Promise<void> } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const queryKey = JSON.stringify(query ?? null);
  const load = useCallback(async () => {
    setError(null);
    try {
      setItems((await get<{ items: T[] }>(path, (JSON.parse(queryKey) as Query | null) ?? undefined)).items);
    } catch (e) {
      setError(errorMessage(e));
      setItems([]);
    }
  }, [path, queryKey]);
  useEffect(() => {
    void load();
  }, [load]);
  return { items, error, load };
}
