// Group commit of the exchange log (issue 6 §5, bench/gateway.ts). Each row is hash-chained under one lock, and
// a call's answer waits until its row is committed; written one per transaction, every call would hold that
// lock through its own WAL flush, so calls would queue behind each other's disk writes. Here the rows of the
// calls that arrive while a flush runs go together in the next transaction (one statement, one flush for all of
// them), with the quota use of their entitlements and the verification misses of the enumeration watch. A call
// still answers only after its own row is durable.
import type { Db, Tx } from '../../db/database.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import type { Entitlement } from '../entitlements/types.ts';
import type { Actor } from '../identity/actor.ts';
import { chinaDate } from '../jobs/calendar.ts';
import type { GatewayRepository, LogInsert } from './repository.ts';

export interface LogItem extends LogInsert {
  /** Quota use to count with the row (answered record queries and verifications). */
  usage: { entitlementId: string; rows: number } | null;
  /** A verification with misses (detail.no_match + detail.not_found): counted for the enumeration watch. */
  watch: { actor: Actor; entitlement: Entitlement } | null;
}

export interface LogHooks {
  addUsage(tx: Tx, entitlementId: string, day: string, calls: number, rows: number): Promise<void>;
  /** Called once per grant with misses in a batch, after they are counted, in the batch's transaction. */
  watchEnumeration(tx: Tx, actor: Actor, entitlement: Entitlement, batchMisses: number): Promise<void>;
}

/** Sums `value` of the items by key; the groups come back sorted by key (row locks always taken in one order). */
function sumBy<T, G>(items: T[], key: (t: T) => string | null, init: (t: T) => G, add: (g: G, t: T) => void): G[] {
  const groups = new Map<string, G>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = init(item)));
    add(g, item);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}

const missesOf = (item: LogItem) => Number(item.detail.no_match ?? 0) + Number(item.detail.not_found ?? 0);

export class LogWriter {
  readonly #group: GroupCommit<LogItem, { seq: number; hash: string }>;

  constructor(db: Db, repo: GatewayRepository, hooks: LogHooks) {
    this.#group = new GroupCommit((items) =>
      db.transaction().execute(async (tx) => {
        const out = await repo.appendLogMany(
          tx,
          items.map(({ usage: _usage, watch: _watch, ...row }) => row),
        );
        // Quota use per entitlement and China day.
        const use = sumBy(
          items,
          (i) => (i.usage ? `${i.usage.entitlementId}|${chinaDate(i.at)}` : null),
          (i) => ({ id: i.usage!.entitlementId, day: chinaDate(i.at), calls: 0, rows: 0 }),
          (u, i) => {
            u.calls += 1;
            u.rows += i.usage!.rows;
          },
        );
        for (const u of use) await hooks.addUsage(tx, u.id, u.day, u.calls, u.rows);
        // Verification misses per grant and minute, then the watch once per grant.
        const minuteOf = (i: LogItem) => new Date(Math.floor(i.at.getTime() / 60_000) * 60_000);
        const perMinute = sumBy(
          items,
          (i) => (i.watch ? `${i.watch.entitlement.id}|${minuteOf(i).toISOString()}` : null),
          (i) => ({ id: i.watch!.entitlement.id, minute: minuteOf(i), n: 0 }),
          (m, i) => (m.n += missesOf(i)),
        );
        for (const m of perMinute) await repo.addVerifyMisses(tx, m.id, m.minute, m.n);
        const perGrant = sumBy(
          items,
          (i) => i.watch?.entitlement.id ?? null,
          (i) => ({ watch: i.watch!, n: 0 }),
          (g, i) => (g.n += missesOf(i)),
        );
        for (const g of perGrant) await hooks.watchEnumeration(tx, g.watch.actor, g.watch.entitlement, g.n);
        return out;
      }),
    );
  }

  append(item: LogItem): Promise<{ seq: number; hash: string }> {
    return this.#group.add(item);
  }
}
