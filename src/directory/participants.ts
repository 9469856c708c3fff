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

/**
 * Orders participants so every parent precedes its children (the foreign key on parent_id):
 * for the first-start seed and for imports. Cycles are refused by the callers' validation
 * before; here a cycle only stops the walk.
 */
export function parentsFirst<T extends { id: string; parentId: string | null }>(list: readonly T[]): T[] {
  const byId = new Map(list.map((p) => [p.id, p]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (p: T): void => {
    if (done.has(p.id)) return;
    done.add(p.id);
    const parent = p.parentId === null ? undefined : byId.get(p.parentId);
    if (parent !== undefined) visit(parent);
    out.push(p);
  };
  for (const p of list) visit(p);
  return out;
}
