import { asc } from 'drizzle-orm';
import { tables } from '../db/index.ts';
import { writeDirectoryCsv, writeDirectoryXml } from './directory-formats.ts';
import type { AdminContext } from './errors.ts';
import { recordFromRow } from './participant-record.ts';

/** The whole directory in an exchange format that {@link importParticipants} reads back unchanged. */
export function exportParticipants(ctx: AdminContext, input: { format: 'csv' | 'xml' }): { mediaType: string; fileName: string; body: string } {
  const records = ctx.db.select().from(tables.participants).orderBy(asc(tables.participants.id)).all().map(recordFromRow);
  return input.format === 'csv'
    ? { mediaType: 'text/csv; charset=utf-8', fileName: 'participants.csv', body: writeDirectoryCsv(records) }
    : { mediaType: 'application/xml; charset=utf-8', fileName: 'participants.xml', body: writeDirectoryXml(records) };
}
