/**
 * The console's read models: message search with a keyset cursor, the dashboard figures and the
 * two reports. Every query is bounded (LIMIT, a period, or an aggregate over an index) so a page
 * stays fast with 100,000 stored messages; none loads all rows.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { MESSAGE_STATES, tables, type Db, type MessageState } from '../db/index.ts';
import { LATENCY_BUCKETS } from '../delivery/index.ts';

/** Whose messages a user may see: an administrator all, a participant those it sent or received. */
export type Scope = { all: true } | { all: false; participantId: string };

const m = tables.messages;

function scopeCondition(scope: Scope): SQL | undefined {
  return scope.all ? undefined : or(eq(m.senderId, scope.participantId), eq(m.recipientId, scope.participantId));
}

export interface MessageSearch {
  /** Registration number: exact or prefix. */
  regNumber?: string;
  /** Substring of the subject. */
  subject?: string;
  senderId?: string;
  recipientId?: string;
  state?: MessageState;
  /** Created at or after (inclusive), ISO instant. */
  from?: string;
  /** Created before (exclusive), ISO instant. */
  to?: string;
  /** Keyset cursor: only messages with seq below this (newest first). */
  before?: number;
  limit: number;
}

export interface MessageListItem {
  id: string;
  seq: number;
  senderId: string;
  senderName: string;
  recipientId: string;
  recipientName: string;
  state: MessageState;
  kind: string;
  regNumber: string;
  regDate: string;
  subject: string;
  createdAt: string;
  responseDue: string | null;
}

/** Case variants of a search text, because SQLite's LIKE folds ASCII only (not Cyrillic). */
function caseVariants(text: string): string[] {
  const lower = text.toLocaleLowerCase('ru');
  const capital = lower.charAt(0).toLocaleUpperCase('ru') + lower.slice(1);
  return [...new Set([text, lower, capital, text.toLocaleUpperCase('ru')])];
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/gu, (c) => `\\${c}`);
}

/**
 * Messages newest first, `limit` per page after the keyset cursor `before` (a seq), so page N
 * costs what page 1 costs: no OFFSET, no COUNT(*).
 */
export function searchMessages(db: Db, scope: Scope, input: MessageSearch): { items: MessageListItem[]; nextBefore: number | null } {
  const where: (SQL | undefined)[] = [scopeCondition(scope)];
  if (input.regNumber !== undefined) {
    // A range on the index instead of LIKE, which SQLite would not serve from it.
    where.push(and(gte(m.regNumber, input.regNumber), lt(m.regNumber, `${input.regNumber}\u{10FFFF}`)));
  }
  if (input.subject !== undefined) {
    where.push(or(...caseVariants(input.subject).map((v) => sql`${m.subject} like ${`%${escapeLike(v)}%`} escape '\\'`)));
  }
  if (input.senderId !== undefined) where.push(eq(m.senderId, input.senderId));
  if (input.recipientId !== undefined) where.push(eq(m.recipientId, input.recipientId));
  if (input.state !== undefined) where.push(eq(m.state, input.state));
  if (input.from !== undefined) where.push(gte(m.createdAt, input.from));
  if (input.to !== undefined) where.push(lt(m.createdAt, input.to));
  if (input.before !== undefined) where.push(lt(m.seq, input.before));
  const rows = db
    .select({
      id: m.id,
      seq: m.seq,
      senderId: m.senderId,
      recipientId: m.recipientId,
      state: m.state,
      kind: m.kind,
      regNumber: m.regNumber,
      regDate: m.regDate,
      subject: m.subject,
      createdAt: m.createdAt,
      responseDue: m.responseDue,
    })
    .from(m)
    .where(and(...where))
    .orderBy(desc(m.seq))
    .limit(input.limit + 1)
    .all();
  const page = rows.slice(0, input.limit);
  const names = participantNames(db, page.flatMap((r) => [r.senderId, r.recipientId]));
  const items = page.map((r) => ({ ...r, senderName: names.get(r.senderId) ?? r.senderId, recipientName: names.get(r.recipientId) ?? r.recipientId }));
  const last = page.at(-1);
  return { items, nextBefore: rows.length > input.limit && last !== undefined ? last.seq : null };
}

/** Names of the given participants (one indexed lookup). */
export function participantNames(db: Db, ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const p = tables.participants;
  return new Map(db.select({ id: p.id, name: p.name }).from(p).where(inArray(p.id, unique)).all().map((r) => [r.id, r.name]));
}

/** A participant id from what a user typed: the id itself, or an INN / OGRN. */
export function resolveParticipant(db: Db, text: string): string | undefined {
  const p = tables.participants;
  const row = db
    .select({ id: p.id })
    .from(p)
    .where(/^\d{10,15}$/u.test(text) ? or(eq(p.inn, text), eq(p.ogrn, text)) : eq(p.id, text))
    .orderBy(asc(p.id))
    .get();
  return row?.id;
}

export interface Dashboard {
  byState: { state: MessageState; count: number }[];
  latency: { count: number; averageSeconds: number | null; buckets: { le: number; count: number }[] };
  attention: MessageListItem[];
  overdue: number;
}

const OPEN_STATES = ['accepted', 'queued', 'retrying', 'delivered', 'registered'] as const;

/** Dashboard figures: counts by state, the delivery-latency histogram, failed/retrying messages, overdue responses. */
export function dashboardFigures(db: Db, scope: Scope, today: string): Dashboard {
  const byStateRows = db
    .select({ state: m.state, n: sql<number>`count(*)` })
    .from(m)
    .where(scopeCondition(scope))
    .groupBy(m.state)
    .all();
  const counts = new Map(byStateRows.map((r) => [r.state, r.n]));
  const latencyExpr = sql`(julianday(${m.deliveredAt}) - julianday(${m.createdAt})) * 86400.0`;
  const bucketCols = LATENCY_BUCKETS.map((le) => sql`sum(case when ${latencyExpr} <= ${le} then 1 else 0 end)`);
  const lat = db
    .select({ count: sql<number>`count(*)`, avg: sql<number | null>`avg(${latencyExpr})`, buckets: sql<string>`json_array(${sql.join(bucketCols, sql`, `)})` })
    .from(m)
    .where(and(isNotNull(m.deliveredAt), scopeCondition(scope)))
    .get();
  const bucketCounts = JSON.parse(lat?.buckets ?? '[]') as (number | null)[];
  const attention = searchMessagesIn(db, scope, ['failed', 'retrying'], 10);
  const overdue =
    db
      .select({ n: sql<number>`count(*)` })
      .from(m)
      .where(and(lt(m.responseDue, today), inArray(m.state, [...OPEN_STATES]), scopeCondition(scope)))
      .get()?.n ?? 0;
  return {
    byState: MESSAGE_STATES.map((state) => ({ state, count: counts.get(state) ?? 0 })),
    latency: { count: lat?.count ?? 0, averageSeconds: lat?.avg ?? null, buckets: LATENCY_BUCKETS.map((le, i) => ({ le, count: bucketCounts[i] ?? 0 })) },
    attention,
    overdue,
  };
}

function searchMessagesIn(db: Db, scope: Scope, states: readonly MessageState[], limit: number): MessageListItem[] {
  const out: MessageListItem[] = [];
  for (const state of states) out.push(...searchMessages(db, scope, { state, limit }).items);
  return out.sort((a, b) => b.seq - a.seq).slice(0, limit);
}

export interface DeliveryReportRow {
  recipientId: string;
  recipientName: string;
  recipientInn: string;
  sent: number;
  delivered: number;
  failed: number;
  averageLatencySeconds: number | null;
  maxLatencySeconds: number | null;
}

export interface DeliveryReport {
  rows: DeliveryReportRow[];
  perDay: { day: string; count: number }[];
  total: number;
}

/**
 * The delivery report: per recipient, letters created in [from, to) with how many were delivered
 * or failed and the accepted -> delivered latency; and the count per day (UTC+offset of the
 * user's zone, `offsetMs`) for the chart.
 */
export function deliveryReport(db: Db, scope: Scope, input: { from: string; to: string; offsetMs: number }): DeliveryReport {
  const latencyExpr = sql`(julianday(${m.deliveredAt}) - julianday(${m.createdAt})) * 86400.0`;
  const period = and(gte(m.createdAt, input.from), lt(m.createdAt, input.to), scopeCondition(scope));
  const grouped = db
    .select({
      recipientId: m.recipientId,
      sent: sql<number>`count(*)`,
      delivered: sql<number>`sum(case when ${m.deliveredAt} is not null then 1 else 0 end)`,
      failed: sql<number>`sum(case when ${m.state} = 'failed' then 1 else 0 end)`,
      avg: sql<number | null>`avg(${latencyExpr})`,
      max: sql<number | null>`max(${latencyExpr})`,
    })
    .from(m)
    .where(period)
    .groupBy(m.recipientId)
    .all();
  const p = tables.participants;
  const ids = grouped.map((g) => g.recipientId);
  const info = new Map(
    ids.length === 0 ? [] : db.select({ id: p.id, name: p.name, inn: p.inn }).from(p).where(inArray(p.id, ids)).all().map((r) => [r.id, r]),
  );
  const rows = grouped
    .map((g) => ({
      recipientId: g.recipientId,
      recipientName: info.get(g.recipientId)?.name ?? g.recipientId,
      recipientInn: info.get(g.recipientId)?.inn ?? '',
      sent: g.sent,
      delivered: g.delivered,
      failed: g.failed,
      averageLatencySeconds: g.avg,
      maxLatencySeconds: g.max,
    }))
    .sort((a, b) => b.sent - a.sent || a.recipientName.localeCompare(b.recipientName, 'ru'));
  const offsetDays = input.offsetMs / 86_400_000;
  const perDay = db
    .select({ day: sql<string>`date(julianday(${m.createdAt}) + ${offsetDays})`, count: sql<number>`count(*)` })
    .from(m)
    .where(period)
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .all();
  return { rows, perDay, total: rows.reduce((s, r) => s + r.sent, 0) };
}

export interface DisciplineLetter {
  id: string;
  recipientId: string;
  recipientName: string;
  senderId: string;
  senderName: string;
  kind: string;
  regNumber: string;
  regDate: string;
  subject: string;
  state: MessageState;
  responseDue: string;
  daysOverdue: number;
  status: 'overdue' | 'due';
}

export interface DisciplineReport {
  letters: DisciplineLetter[];
  perRecipient: { recipientId: string; recipientName: string; overdue: number; due: number }[];
  truncated: boolean;
}

/** Letters shown at most; the per-recipient summary is computed over the same set. */
export const DISCIPLINE_LIMIT = 5000;

/**
 * Executive discipline (SPEC §5): letters still awaiting an answer (accepted .. registered) whose
 * response deadline has passed (`overdue`) or falls within `horizonDays` of `today` (`due`), per
 * recipient. Deadlines are calendar dates: 10 days for letters and requests, 30 for appeals,
 * unless the envelope set one.
 */
export function disciplineReport(db: Db, scope: Scope, input: { today: string; horizon: string }): DisciplineReport {
  const rows = db
    .select({
      id: m.id,
      recipientId: m.recipientId,
      senderId: m.senderId,
      kind: m.kind,
      regNumber: m.regNumber,
      regDate: m.regDate,
      subject: m.subject,
      state: m.state,
      responseDue: m.responseDue,
    })
    .from(m)
    .where(and(isNotNull(m.responseDue), lte(m.responseDue, input.horizon), inArray(m.state, [...OPEN_STATES]), scopeCondition(scope)))
    .orderBy(asc(m.responseDue), asc(m.seq))
    .limit(DISCIPLINE_LIMIT + 1)
    .all();
  const truncated = rows.length > DISCIPLINE_LIMIT;
  const kept = rows.slice(0, DISCIPLINE_LIMIT);
  const names = participantNames(db, kept.flatMap((r) => [r.recipientId, r.senderId]));
  const todayMs = Date.parse(`${input.today}T00:00:00Z`);
  const letters: DisciplineLetter[] = kept.map((r) => {
    const due = r.responseDue ?? input.today;
    const daysOverdue = Math.round((todayMs - Date.parse(`${due}T00:00:00Z`)) / 86_400_000);
    return {
      ...r,
      responseDue: due,
      recipientName: names.get(r.recipientId) ?? r.recipientId,
      senderName: names.get(r.senderId) ?? r.senderId,
      daysOverdue: Math.max(0, daysOverdue),
      status: due < input.today ? 'overdue' : 'due',
    };
  });
  const per = new Map<string, { recipientId: string; recipientName: string; overdue: number; due: number }>();
  for (const l of letters) {
    const e = per.get(l.recipientId) ?? { recipientId: l.recipientId, recipientName: l.recipientName, overdue: 0, due: 0 };
    if (l.status === 'overdue') e.overdue += 1;
    else e.due += 1;
    per.set(l.recipientId, e);
  }
  const perRecipient = [...per.values()].sort((a, b) => b.overdue - a.overdue || b.due - a.due || a.recipientName.localeCompare(b.recipientName, 'ru'));
  return { letters, perRecipient, truncated };
}


export interface AuditRow {
  seq: number;
  at: string;
  type: string;
  actor: string;
  messageId: string | null;
  fromState: string | null;
  toState: string | null;
  detailJson: string;
  hash: string;
}

/**
 * Journal rows newest first, `limit` per page below the keyset cursor `before` (a seq): the
 * primary key (and the `events_message` index for a message filter) serves every page, so the
 * last page of a long journal costs what the first does.
 */
export function searchJournal(db: Db, input: { type?: string; messageId?: string; before?: number; limit: number }): { items: AuditRow[]; nextBefore: number | null } {
  const e = tables.events;
  const where: SQL[] = [];
  if (input.type !== undefined) where.push(eq(e.type, input.type));
  if (input.messageId !== undefined) where.push(eq(e.messageId, input.messageId));
  if (input.before !== undefined) where.push(lt(e.seq, input.before));
  const rows = db
    .select({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, messageId: e.messageId, fromState: e.fromState, toState: e.toState, detailJson: e.detailJson, hash: e.hash })
    .from(e)
    .where(and(...where))
    .orderBy(desc(e.seq))
    .limit(input.limit + 1)
    .all();
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return { items, nextBefore: rows.length > input.limit && last !== undefined ? last.seq : null };
}
