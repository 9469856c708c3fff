import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KEY_ALGORITHMS } from '../../crypto/index.ts';
import { migrate, openDatabase } from '../../db/index.ts';
import { DEFAULT_DIRECTORY_FILE, loadDirectoryFixture, seedDirectory } from '../../directory/index.ts';
import { searchParticipants } from '../../admin/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { progressReporter } from '../progress.ts';
import { configFromEnvAndFlags } from './serve.ts';

export const initUsage = `edx init [--data-dir DIR] [--algorithm ALG] [--directory FILE] [--progress]

Does what the gateway's first start does, without starting it: creates DIR (default EDX_DATA_DIR
or ./data), migrates the database DIR/edx.sqlite, seeds the participant directory from FILE
(default EDX_DIRECTORY_FILE or the synthetic region fixtures/directory.json), issues the
development PKI in DIR/pki (ALG: ${KEY_ALGORITHMS.join(', ')}; default EDX_PKI_ALGORITHM or
ecdsa-p256) and writes the development tokens to DIR/tokens.json (mode 0600). Prints what it made.
Progress of the certificates goes to stderr when it is a terminal, or with --progress.

Re-running it is safe: on a data directory that already has participants it changes nothing,
says "already initialised" and exits 0 (--algorithm and --directory then have no effect); a first
start that was interrupted is redone. Exits 2 on bad arguments, an unreadable directory file or a
database that is not the gateway's, 1 when the data directory or the PKI cannot be written.`;

const schema = z.object({
  'data-dir': z.string().min(1).optional(),
  algorithm: z.enum(KEY_ALGORITHMS).optional(),
  directory: z.string().min(1).optional(),
  progress: z.boolean().optional(),
});

export async function initCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { 'data-dir': { type: 'string' }, algorithm: { type: 'string' }, directory: { type: 'string' }, progress: { type: 'boolean' } },
    schema,
  );
  const config = configFromEnvAndFlags(ctx, { dataDir: values['data-dir'], pkiAlgorithm: values.algorithm, directoryFile: values.directory });
  const { dataDir, pkiAlgorithm } = config;
  // The same layout openGateway uses, so `edx serve` on DIR finds everything in place.
  const paths = { database: join(dataDir, 'edx.sqlite'), pki: join(dataDir, 'pki'), tokens: join(dataDir, 'tokens.json') };
  const directoryFile = config.directoryFile ?? DEFAULT_DIRECTORY_FILE;
  // Read and checked before anything is created: a bad file leaves no half-made data directory.
  const fixture = await loadDirectoryFixture(directoryFile);
  if (!fixture.ok) throw new CliError(fixture.error.code, fixture.error.message, EXIT.badInput);

  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CliError('DATA_DIR_UNWRITABLE', `${dataDir}: ${error instanceof Error ? error.message : String(error)}`, EXIT.notPassed);
  }
  let handle: ReturnType<typeof openDatabase> | undefined;
  let migrated: number;
  try {
    handle = openDatabase(paths.database);
    migrated = migrate(handle.sqlite, ctx.now()).filter((m) => m.appliedNow).length;
  } catch (error) {
    handle?.close();
    throw new CliError('DATABASE_UNREADABLE', `${paths.database}: ${error instanceof Error ? error.message : String(error)}`, EXIT.badInput);
  }
  try {
    const now = ctx.now();
    const existing = searchParticipants({ db: handle.db, now: ctx.now }, { limit: 1, offset: 0 }).total;
    if (existing > 0) {
      ctx.stdout(`already initialised: ${dataDir} has ${existing} participants; ${migrated === 0 ? 'nothing changed' : `applied ${migrated} new migration(s), nothing else changed`}\n`);
      ctx.stdout(`development tokens: ${paths.tokens}\n`);
      return EXIT.ok;
    }
    const show = ctx.stderrIsTTY === true || values.progress === true;
    const total = fixture.value.participants.length;
    if (show) ctx.stderr(`issuing the development PKI (${pkiAlgorithm}) for ${total} participants in ${paths.pki}\n`);
    const seed = await seedDirectory({
      db: handle.db,
      fixture: fixture.value,
      pkiDir: paths.pki,
      tokensPath: paths.tokens,
      now,
      algorithm: pkiAlgorithm,
      ...(show ? { onProgress: progressReporter({ label: 'issuing certificates', write: ctx.stderr, tty: ctx.stderrIsTTY === true }) } : {}),
    }).catch((error: unknown) => {
      throw new CliError('INIT_FAILED', error instanceof Error ? error.message : String(error), EXIT.notPassed);
    });
    if (!seed.seeded) {
      // Another process (a gateway starting on the same directory) seeded it meanwhile.
      ctx.stdout(`already initialised: ${dataDir} has ${seed.participants} participants\n`);
      return EXIT.ok;
    }
    ctx.stdout(`initialised ${dataDir}\n`);
    ctx.stdout(`database:        ${paths.database} (${migrated} migration(s) applied)\n`);
    ctx.stdout(`participants:    ${seed.participants} from ${directoryFile} (operator ${seed.operatorId})\n`);
    ctx.stdout(`development PKI: ${paths.pki} (${pkiAlgorithm}; root CA root.pem, evidence seal gateway.cert.pem, a key and certificate per participant)\n`);
    ctx.stdout(`tokens:          ${paths.tokens} (mode 0600: an admin token for the operator, a send+receive token per participant)\n`);
    ctx.stdout(`start it with:   edx serve --data-dir ${dataDir}\n`);
    return EXIT.ok;
  } finally {
    handle.close();
  }
}
