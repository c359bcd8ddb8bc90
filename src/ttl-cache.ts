// A small read-through cache with a time to live, for the data gateway's hot path (issue 6, bench/gateway.ts):
// the rows every call reads again (dataset, version, resource, the holder's entitlements) are kept for a few
// hundred milliseconds. A change made by this process clears the cache at once; one made by another process is
// seen within the TTL, which is shorter than the one second the issue allows for a revocation to take effect.
// Concurrent misses of one key share one load.
export const HOT_PATH_TTL_MS = 500;

export class TtlCache<K, V> {
  readonly #map = new Map<K, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number = HOT_PATH_TTL_MS,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.#map.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.#map.size >= this.maxEntries) this.#map.clear();
    const value = load();
    this.#map.set(key, { at: now, value });
    // A failed load is not kept.
    value.catch(() => {
      if (this.#map.get(key)?.value === value) this.#map.delete(key);
    });
    return value;
  }

  clear(): void {
    this.#map.clear();
  }
}
