import { sql } from 'drizzle-orm';
import { MESSAGE_STATES, tables, type MessageState } from '../db/index.ts';
import type { GatewayContext } from './context.ts';

/** Upper bounds (seconds) of the delivery-latency histogram: accepted -> delivered. */
export const LATENCY_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600] as const;

export interface DeliveryMetrics {
  byState: Record<MessageState, number>;
  latency: { buckets: { le: number; count: number }[]; count: number; sumSeconds: number };
  overdue: number;
}

/**
 * Figures for /metrics, computed by two aggregate queries (one pass each over messages), so
 * every instance on a shared database reports the same truth.
 */
export function deliveryMetrics(ctx: GatewayContext): DeliveryMetrics {
  const byState = Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])) as Record<MessageState, number>;
  for (const r of ctx.db.select({ state: tables.messages.state, n: sql<number>`count(*)` }).from(tables.messages).groupBy(tables.messages.state).all()) {
    byState[r.state] = r.n;
  }
  const latencyExpr = sql`(julianday(${tables.messages.deliveredAt}) - julianday(${tables.messages.createdAt})) * 86400.0`;
  const bucketCols = LATENCY_BUCKETS.map((le) => sql`sum(case when ${latencyExpr} <= ${le} then 1 else 0 end)`);
  const row = ctx.db
    .select({
      count: sql<number>`count(*)`,
      sum: sql<number | null>`sum(${latencyExpr})`,
      buckets: sql<string>`json_array(${sql.join(bucketCols, sql`, `)})`,
    })
    .from(tables.messages)
    .where(sql`${tables.messages.deliveredAt} is not null`)
    .get();
  const counts = JSON.parse(row?.buckets ?? '[]') as (number | null)[];
  const today = ctx.now().toISOString().slice(0, 10);
  const overdue =
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(tables.messages)
      .where(sql`${tables.messages.responseDue} < ${today} and ${tables.messages.state} in ('queued', 'retrying', 'delivered', 'registered')`)
      .get()?.n ?? 0;
  return {
    byState,
    latency: { buckets: LATENCY_BUCKETS.map((le, i) => ({ le, count: counts[i] ?? 0 })), count: row?.count ?? 0, sumSeconds: row?.sum ?? 0 },
    overdue,
  };
}
