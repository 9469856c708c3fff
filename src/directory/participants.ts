import { eq, inArray } from 'drizzle-orm';
import type { Party } from '../envelope/index.ts';
import { tables, type Db } from '../db/index.ts';

export type ParticipantRow = typeof tables.participants.$inferSelect;

export function getParticipant(db: Db, id: string): ParticipantRow | undefined {
  return db.select().from(tables.participants).where(eq(tables.participants.id, id)).get();
}

export function getParticipants(db: Db, ids: readonly string[]): Map<string, ParticipantRow> {
  if (ids.length === 0) return new Map();
  const rows = db.select().from(tables.participants).where(inArray(tables.participants.id, [...ids])).all();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The participant as an envelope party (SPEC §2: id, name, INN, OGRN). */
export function toParty(p: ParticipantRow): Party {
  return { id: p.id, name: p.name, inn: p.inn, ogrn: p.ogrn };
}
