import { join } from 'node:path';
import { z } from 'zod';
import { verifyJournalFile } from '../../admin/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';

export const auditVerifyUsage = `edx audit verify [--data-dir DIR]

Recomputes the hash chain of the gateway's journal in DIR/edx.sqlite (default ./data), opened
read-only: no migration is applied and nothing is written. Prints "journal OK: N rows, last hash H"
and exits 0, or names the first row that does not hold and exits 1. Exits 2 when the database is
missing or unreadable.`;

const schema = z.object({ 'data-dir': z.string().min(1).default('data') });

export async function auditVerifyCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { 'data-dir': { type: 'string' } }, schema);
  const result = verifyJournalFile({ path: join(values['data-dir'], 'edx.sqlite') });
  if (!result.ok) throw new CliError('DATABASE_UNREADABLE', result.message, EXIT.badInput);
  const v = result.verification;
  if (v.ok) {
    ctx.stdout(`journal OK: ${v.rows} rows, last hash ${v.lastHash}\n`);
    return EXIT.ok;
  }
  ctx.stdout(`journal BROKEN at row ${v.seq}: ${v.reason}\n`);
  return EXIT.notPassed;
}
