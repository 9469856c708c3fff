import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { tables, verifyJournal, type JournalVerification } from '../db/index.ts';
import type { AdminContext } from './errors.ts';

export interface JournalRow {
  seq: number;
  at: string;
  type: string;
  actor: string;
  messageId: string | null;
  fromState: string | null;
  toState: string | null;
  detail: unknown;
  prevHash: string;
  hash: string;
}

/** A page of the hash-chained journal in order, after `after` (a seq); `nextAfter` is null on the last page. */
export function listJournal(ctx: AdminContext, input: { after?: number; limit: number; messageId?: string; type?: string }): { items: JournalRow[]; nextAfter: number | null } {
  const e = tables.events;
  const where: SQL[] = [];
  if (input.after !== undefined) where.push(gt(e.seq, input.after));
  if (input.messageId !== undefined) where.push(eq(e.messageId, input.messageId));
  if (input.type !== undefined) where.push(eq(e.type, input.type));
  const rows = ctx.db.select().from(e).where(and(...where)).orderBy(asc(e.seq)).limit(input.limit + 1).all();
  const page = rows.slice(0, input.limit);
  const items = page.map((r) => {
    let detail: unknown;
    try {
      detail = JSON.parse(r.detailJson);
    } catch {
      detail = r.detailJson;
    }
    return { seq: r.seq, at: r.at, type: r.type, actor: r.actor, messageId: r.messageId, fromState: r.fromState, toState: r.toState, detail, prevHash: r.prevHash, hash: r.hash };
  });
  return { items, nextAfter: rows.length > input.limit ? (page[page.length - 1]?.seq ?? null) : null };
}

/** Recomputes the whole chain (SPEC §5): the first row whose link or content does not hold is named. */
export function verifyAuditJournal(ctx: AdminContext): JournalVerification {
  return verifyJournal(ctx.db);
}

export type JournalFileResult = { ok: true; verification: JournalVerification } | { ok: false; message: string };

/**
 * Verifies the journal of a database file opened read-only, with no migration or pragma that
 * writes (`edx audit verify` may run beside the server, or on a copy taken as evidence).
 */
export function verifyJournalFile(input: { path: string }): JournalFileResult {
  if (!existsSync(input.path)) return { ok: false, message: `${input.path} does not exist` };
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(input.path, { readonly: true, fileMustExist: true });
    const db = drizzle(sqlite, { schema: tables });
    return { ok: true, verification: verifyJournal(db) };
  } catch (error) {
    return { ok: false, message: `${input.path} is not a readable edx-gateway database: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    sqlite?.close();
  }
}
