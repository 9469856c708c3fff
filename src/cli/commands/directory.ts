import { readFile, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_IMPORT_LIMITS, exportParticipants, importParticipants, type AdminResult, type ImportSummary } from '../../admin/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { openGatewayDatabase } from './trust.ts';

export const directoryExportUsage = `edx directory export [--data-dir DIR] [--format csv|xml] [--output FILE]

Writes the whole participant directory of the gateway in DIR (default ./data) in the exchange
format the admin API exports: CSV (RFC 4180, fixed header) or XML (urn:edx-gateway:directory:1).
The format defaults to FILE's extension, else csv; without --output the file goes to stdout.
'edx directory import' reads it back unchanged.`;

export const directoryImportUsage = `edx directory import FILE [--data-dir DIR] [--format csv|xml] [--dry-run]

Imports participants from FILE (CSV or XML as 'edx directory export' writes them; the format
defaults to the extension) into the gateway in DIR (default ./data), with the admin API's rules:
every row is checked first (fields, check digits, ids unique, parents known, no cycles); if any
row fails, nothing is written and each problem is printed as "row N, FIELD: CODE message".
Otherwise each row creates or replaces the participant of that id, all in one transaction, with
journal events by actor 'cli'. --dry-run checks and counts but writes nothing.
Exits 0 when imported, 1 when rows were refused (nothing imported), 2 on bad usage or a file
that cannot be read (missing, too large, not UTF-8, not XML).`;

const FORMATS = ['csv', 'xml'] as const;
type Format = (typeof FORMATS)[number];

function formatOf(explicit: Format | undefined, file: string | undefined): Format | undefined {
  if (explicit !== undefined) return explicit;
  if (file === undefined) return undefined;
  const ext = extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.xml' ? 'xml' : undefined;
}

export async function directoryExportCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { 'data-dir': { type: 'string' }, format: { type: 'string' }, output: { type: 'string' } },
    z.object({ 'data-dir': z.string().min(1).default('data'), format: z.enum(FORMATS).optional(), output: z.string().min(1).optional() }),
  );
  const format = formatOf(values.format, values.output) ?? 'csv';
  const handle = openGatewayDatabase(values['data-dir'], ctx.now());
  let out: ReturnType<typeof exportParticipants>;
  try {
    out = exportParticipants({ db: handle.db, now: ctx.now }, { format });
  } finally {
    handle.close();
  }
  if (values.output === undefined) {
    ctx.stdout(out.body);
    return EXIT.ok;
  }
  await writeFile(values.output, out.body).catch((error: unknown) => {
    throw new CliError('OUTPUT_UNWRITABLE', `${values.output ?? ''}: ${error instanceof Error ? error.message : String(error)}`, EXIT.badInput);
  });
  ctx.stderr(`wrote the directory (${format}, ${Buffer.byteLength(out.body)} bytes) to ${values.output}\n`);
  return EXIT.ok;
}

/** The per-row report the admin domain attaches to IMPORT_INVALID (`FieldError[]`). */
const fieldErrors = z.array(z.object({ row: z.number().optional(), field: z.string(), code: z.string(), message: z.string() }));

/** A dry run has to be exact, so it runs the real import and rolls it back. */
class DryRunRollback extends Error {
  readonly result: AdminResult<ImportSummary>;
  constructor(result: AdminResult<ImportSummary>) {
    super('dry run');
    this.result = result;
  }
}

export async function directoryImportCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { 'data-dir': { type: 'string' }, format: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    z.object({ 'data-dir': z.string().min(1).default('data'), format: z.enum(FORMATS).optional(), 'dry-run': z.boolean().optional() }),
    true,
  );
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new CliError('USAGE', 'give exactly one file to import', EXIT.badInput);
  const format = formatOf(values.format, file);
  if (format === undefined) throw new CliError('USAGE', `cannot tell the format of ${file} from its name: pass --format csv or --format xml`, EXIT.badInput);
  const unreadable = (error: unknown): never => {
    throw new CliError('FILE_UNREADABLE', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT.badInput);
  };
  // Checked before reading, so a huge file is refused without loading it.
  const size = (await stat(file).catch(unreadable)).size;
  if (size > DEFAULT_IMPORT_LIMITS.maxBytes) throw new CliError('IMPORT_UNREADABLE', `${file} is ${size} bytes, the limit is ${DEFAULT_IMPORT_LIMITS.maxBytes}`, EXIT.badInput);
  const body = await readFile(file).catch(unreadable);
  const dryRun = values['dry-run'] === true;

  const handle = openGatewayDatabase(values['data-dir'], ctx.now());
  let result: AdminResult<ImportSummary>;
  try {
    const admin = { db: handle.db, now: ctx.now };
    const run = (): AdminResult<ImportSummary> => importParticipants(admin, { format, body, actor: 'cli' });
    if (!dryRun) {
      result = run();
    } else {
      // importParticipants' own transaction becomes a savepoint inside this one, which is then rolled back.
      try {
        handle.db.transaction(() => {
          throw new DryRunRollback(run());
        });
        throw new Error('unreachable: the dry-run transaction did not roll back');
      } catch (error) {
        if (!(error instanceof DryRunRollback)) throw error;
        result = error.result;
      }
    }
  } finally {
    handle.close();
  }

  if (result.ok) {
    const s = result.value;
    const counts = `${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged`;
    ctx.stdout(dryRun ? `dry run: ${s.rows} rows would import (${counts}); nothing was written\n` : `imported ${s.rows} rows: ${counts}\n`);
    return EXIT.ok;
  }
  if (result.error.code === 'IMPORT_INVALID') {
    const report = fieldErrors.safeParse(result.error.details);
    for (const e of report.success ? report.data : []) ctx.stdout(`row ${e.row ?? '-'}, ${e.field}: ${e.code} ${e.message}\n`);
    ctx.stderr(`edx directory import: ${result.error.code}: ${result.error.message}\n`);
    return EXIT.notPassed;
  }
  throw new CliError(result.error.code, result.error.message, EXIT.badInput);
}
