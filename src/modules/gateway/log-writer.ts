// Group commit of the exchange log (issue 6 §5, bench/gateway.ts). Each row is hash-chained under one lock, and
// a call's answer waits until its row is committed; written one per transaction, every call would hold that
// lock through its own WAL flush, so calls would queue behind each other's disk writes. Here the rows of the
// calls that arrive while a flush runs go together in the next transaction (one flush for all of them), with
// the quota use of their entitlements. A call still answers only after its own row is durable.
import type { Db, Tx } from '../../db/database.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import { chinaDate } from '../jobs/calendar.ts';
import type { GatewayRepository, LogInsert } from './repository.ts';

export interface LogItem extends LogInsert {
  /** Quota use to count with the row (answered record queries and verifications). */
  usage: { entitlementId: string; rows: number } | null;
}

export class LogWriter {
  readonly #group: GroupCommit<LogItem, { seq: number; hash: string }>;

  constructor(
    db: Db,
    repo: GatewayRepository,
    addUsage: (tx: Tx, entitlementId: string, day: string, calls: number, rows: number) => Promise<void>,
  ) {
    this.#group = new GroupCommit((items) =>
      db.transaction().execute(async (tx) => {
        const out = await repo.appendLogMany(
          tx,
          items.map(({ usage: _usage, ...row }) => row),
        );
        // Quota use per entitlement and China day, summed over the batch (one row lock each, in a fixed order).
        const use = new Map<string, { id: string; day: string; calls: number; rows: number }>();
        for (const item of items) {
          if (!item.usage) continue;
          const day = chinaDate(item.at);
          const k = `${item.usage.entitlementId}|${day}`;
          const u = use.get(k) ?? { id: item.usage.entitlementId, day, calls: 0, rows: 0 };
          u.calls += 1;
          u.rows += item.usage.rows;
          use.set(k, u);
        }
        for (const [, u] of [...use].sort(([a], [b]) => a.localeCompare(b))) await addUsage(tx, u.id, u.day, u.calls, u.rows);
        // Verification misses per grant and minute (the enumeration watch of GatewayService.verify).
        const misses = new Map<string, { id: string; minute: Date; n: number }>();
        for (const item of items) {
          if (item.service !== 'verify' || item.outcome !== 'ok' || !item.entitlementId) continue;
          const n = Number(item.detail.no_match ?? 0) + Number(item.detail.not_found ?? 0);
          if (!n) continue;
          const minute = new Date(Math.floor(item.at.getTime() / 60_000) * 60_000);
          const k = `${item.entitlementId}|${minute.toISOString()}`;
          const m = misses.get(k) ?? { id: item.entitlementId, minute, n: 0 };
          m.n += n;
          misses.set(k, m);
        }
        for (const [, m] of [...misses].sort(([a], [b]) => a.localeCompare(b))) await repo.addVerifyMisses(tx, m.id, m.minute, m.n);
        return out;
      }),
    );
  }

  append(item: LogItem): Promise<{ seq: number; hash: string }> {
    return this.#group.add(item);
  }
}
