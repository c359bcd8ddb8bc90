// Group commit: the writes that arrive while one batch is being written go together in the next one, so that
// concurrent requests share one transaction (one WAL flush) instead of queueing behind each other's. Each caller
// still gets its own result only after its batch has committed. Used by the exchange log and API-key nonces.
export class GroupCommit<T, R> {
  #queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  #flushing = false;

  /** `write` writes one batch (in one transaction) and returns a result per item, in order. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 256,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        void this.flush().finally(() => {
          this.#flushing = false;
        });
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (e) {
        batch.forEach((p) => p.reject(e));
      }
    }
  }
}
