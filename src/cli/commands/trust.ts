import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { addTrustAnchorCertificate, listTrustAnchorViews } from '../../admin/index.ts';
import { trustAnchorSources } from '../../admin/import-trusted-list.ts';
import { migrate, openDatabase, type DatabaseHandle } from '../../db/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';

export const trustListUsage = `edx trust list [--data-dir DIR] [--json]

Lists the gateway's trust anchors (DIR/edx.sqlite, default ./data): subject, label, qualified or
not, where it came from ('trusted-list <territory> #<sequence>' or 'manual'), validity and SHA-256
fingerprint. Qualified anchors make signatures that chain to them qualified (SPEC §4).`;

export const trustAddUsage = `edx trust add FILE [--data-dir DIR] [--label TEXT] [--qualified]

Adds one CA certificate (PEM or DER) as a trust anchor of the gateway in DIR (default ./data),
journalled like the admin API does. --qualified marks an accredited CA. A running gateway picks
the change up on its next start (the admin API and the console reload it at once).`;

/** Opens (and migrates) the gateway database in `dataDir`, as the trust commands share it. */
export function openGatewayDatabase(dataDir: string, now: Date): DatabaseHandle {
  const path = join(dataDir, 'edx.sqlite');
  if (!existsSync(path)) throw new CliError('DATABASE_UNREADABLE', `no gateway database at ${path} (start the gateway once, or pass --data-dir)`, EXIT.badInput);
  const handle = openDatabase(path);
  try {
    migrate(handle.sqlite, now);
  } catch (error) {
    handle.close();
    throw new CliError('DATABASE_UNREADABLE', `${path}: ${error instanceof Error ? error.message : String(error)}`, EXIT.badInput);
  }
  return handle;
}

export async function trustListCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    z.object({ 'data-dir': z.string().min(1).default('data'), json: z.boolean().optional() }),
  );
  const handle = openGatewayDatabase(values['data-dir'], ctx.now());
  try {
    const admin = { db: handle.db, now: ctx.now };
    const sources = trustAnchorSources(admin);
    const anchors = listTrustAnchorViews(admin).map((a) => ({ ...a, source: sources.get(a.fingerprint) ?? 'manual' }));
    if (values.json === true) {
      ctx.stdout(`${JSON.stringify(anchors, null, 2)}\n`);
      return EXIT.ok;
    }
    if (anchors.length === 0) ctx.stdout('no trust anchors: no signature can be trusted\n');
    for (const a of anchors) {
      ctx.stdout(`${a.qualified ? 'QUALIFIED' : 'trusted  '}  ${a.subject}\n`);
      ctx.stdout(`           label: ${a.label}\n           source: ${a.source}\n           valid: ${a.notBefore} .. ${a.notAfter}\n           sha256: ${a.fingerprint}\n`);
    }
    return EXIT.ok;
  } finally {
    handle.close();
  }
}

export async function trustAddCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { 'data-dir': { type: 'string' }, label: { type: 'string' }, qualified: { type: 'boolean' } },
    z.object({ 'data-dir': z.string().min(1).default('data'), label: z.string().min(1).max(500).optional(), qualified: z.boolean().optional() }),
    true,
  );
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new CliError('USAGE', 'give exactly one certificate file', EXIT.badInput);
  const body = await readFile(file).catch(() => {
    throw new CliError('FILE_UNREADABLE', `cannot read ${file}`, EXIT.badInput);
  });
  const handle = openGatewayDatabase(values['data-dir'], ctx.now());
  try {
    const added = addTrustAnchorCertificate(
      { db: handle.db, now: ctx.now },
      { body, qualified: values.qualified === true, actor: 'cli', ...(values.label === undefined ? {} : { label: values.label }) },
    );
    if (!added.ok) throw new CliError(added.error.code, added.error.message, EXIT.badInput);
    ctx.stdout(`added ${added.value.qualified ? 'qualified ' : ''}trust anchor ${added.value.subject} (sha256 ${added.value.fingerprint})\n`);
    return EXIT.ok;
  } finally {
    handle.close();
  }
}
