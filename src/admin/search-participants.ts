import { and, asc, eq, like, or, type SQL } from 'drizzle-orm';
import { tables } from '../db/index.ts';
import type { AdminContext } from './errors.ts';
import { participantView, type ParticipantView } from './participant-record.ts';

export interface SearchParticipantsInput {
  /** Digits: INN or OGRN, exact or prefix. Otherwise a case-insensitive substring of the name, short name or id. */
  q?: string;
  category?: string;
  kind?: 'government' | 'enterprise';
  state?: 'active' | 'suspended';
  limit: number;
  offset: number;
}

export interface ParticipantPage {
  items: ParticipantView[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * Folds case for search the way a Russian reader expects: Unicode lower case (SQLite's `lower()`
 * folds ASCII only, so «МИНФИН» would not find «Минфин»), NFC, and ё read as е.
 */
export function searchKey(text: string): string {
  return text.normalize('NFC').toLocaleLowerCase('ru').replace(/ё/gu, 'е').replace(/\s+/gu, ' ');
}

const collator = new Intl.Collator('ru');

/**
 * Lists participants matching the filters, ordered by name. Identifier searches and the exact
 * filters run in SQL; a name search folds case in JS over the filtered rows (the directory is a
 * few thousand rows at most, and correctness for Cyrillic comes first).
 */
export function searchParticipants(ctx: AdminContext, input: SearchParticipantsInput): ParticipantPage {
  const p = tables.participants;
  const where: SQL[] = [];
  if (input.category !== undefined) where.push(eq(p.category, input.category));
  if (input.kind !== undefined) where.push(eq(p.kind, input.kind));
  if (input.state !== undefined) where.push(eq(p.state, input.state));
  const q = input.q?.trim() ?? '';
  const digits = /^\d{1,15}$/u.test(q);
  if (digits) {
    const byInnOrOgrn = or(like(p.inn, `${q}%`), like(p.ogrn, `${q}%`));
    if (byInnOrOgrn !== undefined) where.push(byInnOrOgrn);
  }
  let rows = ctx.db.select().from(p).where(and(...where)).orderBy(asc(p.id)).all();
  if (q !== '' && !digits) {
    const key = searchKey(q);
    rows = rows.filter((r) => searchKey(r.name).includes(key) || searchKey(r.shortName).includes(key) || r.id.includes(key));
  }
  rows.sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id));
  return { items: rows.slice(input.offset, input.offset + input.limit).map(participantView), total: rows.length, limit: input.limit, offset: input.offset };
}
