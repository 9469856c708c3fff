import { createHash } from 'node:crypto';
import { asc, desc } from 'drizzle-orm';
import type { Db } from './client.ts';
import { events } from './schema/index.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface JournalEntry {
  at: string;
  type: string;
  actor: string;
  messageId: string | null;
  fromState: string | null;
  toState: string | null;
  detail: Record<string, unknown>;
}

/** The canonical bytes a journal row's hash covers: a JSON array in fixed field order. */
function canonical(seq: number, e: { at: string; type: string; actor: string; messageId: string | null; fromState: string | null; toState: string | null; detailJson: string }): string {
  return JSON.stringify([seq, e.at, e.type, e.actor, e.messageId, e.fromState, e.toState, e.detailJson]);
}

export function rowHash(prevHash: string, seq: number, e: Parameters<typeof canonical>[1]): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(seq, e)).digest('hex');
}

/**
 * Appends one journal row. Call inside the transaction that makes the change, so the change and
 * its evidence commit together (synchronous: better-sqlite3 transactions cannot await).
 */
export function appendEvent(db: Db, entry: JournalEntry): { seq: number; hash: string } {
  const last = db.select({ seq: events.seq, hash: events.hash }).from(events).orderBy(desc(events.seq)).limit(1).get();
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = {
    at: entry.at,
    type: entry.type,
    actor: entry.actor,
    messageId: entry.messageId,
    fromState: entry.fromState,
    toState: entry.toState,
    detailJson: JSON.stringify(entry.detail),
  };
  const hash = rowHash(prevHash, seq, row);
  db.insert(events).values({ seq, ...row, prevHash, hash }).run();
  return { seq, hash };
}

export type JournalVerification = { ok: true; rows: number; lastHash: string } | { ok: false; seq: number; reason: string };

/** Recomputes the whole chain; the first row whose link or hash does not hold is named. */
export function verifyJournal(db: Db): JournalVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  for (const r of db.select().from(events).orderBy(asc(events.seq)).all()) {
    if (r.seq !== expectedSeq) return { ok: false, seq: r.seq, reason: `row ${expectedSeq} is missing` };
    if (r.prevHash !== prev) return { ok: false, seq: r.seq, reason: 'prev_hash does not link to the previous row' };
    const h = rowHash(prev, r.seq, r);
    if (h !== r.hash) return { ok: false, seq: r.seq, reason: 'row content does not match its hash' };
    prev = r.hash;
    expectedSeq += 1;
    rows += 1;
  }
  return { ok: true, rows, lastHash: prev };
}
