import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { importTrustedList, type TrustedListImportReport } from '../../admin/import-trusted-list.ts';
import { readCertificateUpload } from '../../admin/certificate-details.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { openGatewayDatabase } from './trust.ts';

export const trustImportTlUsage = `edx trust import-tl --list FILE.xml --signer CERT.pem [--signer ...] [--data-dir DIR]
                    [--allow-expired] [--include-non-qualified] [--json]

Imports an ETSI TS 119 612 trusted list (the EU national list format) into the trust store of the
gateway in DIR (default ./data), in one journalled transaction. The list's enveloped XML signature
must verify and be made by one of the --signer certificates (PEM or DER, the certificates the
list's operator publishes; pinning them is what makes the list trustworthy). Refused: a list past
its NextUpdate (unless --allow-expired), and one older than the last list imported for the same
territory (TSLSequenceNumber; rollback).

Granted CA/QC services become QUALIFIED anchors. --include-non-qualified also imports other
granted services' CA certificates as non-qualified anchors. CA/QC services no longer granted are
reported as withdrawn, and anchors a trusted list had made qualified lose the qualification;
manually added anchors are never changed. A running gateway picks the change up on its next start
(POST /api/v1/admin/trust-anchors/trusted-list applies it at once). Exit status 0 imported, 1 the
list was refused (bad signature, unpinned signer, expired, rollback), 2 bad usage or malformed input.`;

const MALFORMED = new Set(['TL_INVALID', 'TL_NOT_A_TRUSTED_LIST', 'TL_UNSUPPORTED_VERSION', 'XMLDSIG_MALFORMED']);

export async function trustImportTlCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      'data-dir': { type: 'string' },
      list: { type: 'string' },
      signer: { type: 'string', multiple: true },
      'allow-expired': { type: 'boolean' },
      'include-non-qualified': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    z.object({
      'data-dir': z.string().min(1).default('data'),
      list: z.string().min(1),
      signer: z.array(z.string().min(1)).min(1, 'give the certificate(s) allowed to sign the list'),
      'allow-expired': z.boolean().optional(),
      'include-non-qualified': z.boolean().optional(),
      json: z.boolean().optional(),
    }),
  );
  const pinned: string[] = [];
  for (const file of values.signer) {
    const read = readCertificateUpload(await readInput(file));
    if (!read.ok) throw new CliError('CERTIFICATE_UNREADABLE', `${file}: ${read.message}`);
    pinned.push(...read.certificates.map((c) => c.summary.fingerprintSha256));
  }
  const xml = await readInput(values.list);
  const handle = openGatewayDatabase(values['data-dir'], ctx.now());
  try {
    const result = importTrustedList(
      { db: handle.db, now: ctx.now },
      { xml, pinnedSignerFingerprints: pinned, allowExpired: values['allow-expired'] === true, includeNonQualified: values['include-non-qualified'] === true, actor: 'cli' },
    );
    if (!result.ok) {
      const malformed = result.error.code.startsWith('XML_') || MALFORMED.has(result.error.code);
      throw new CliError(result.error.code, result.error.message, malformed ? EXIT.badInput : EXIT.notPassed);
    }
    if (values.json === true) ctx.stdout(`${JSON.stringify(result.value, null, 2)}\n`);
    else ctx.stdout(describe(result.value));
    return EXIT.ok;
  } finally {
    handle.close();
  }
}

async function readInput(file: string): Promise<Buffer> {
  return readFile(file).catch(() => {
    throw new CliError('FILE_UNREADABLE', `cannot read ${file}`);
  });
}

function describe(r: TrustedListImportReport): string {
  const lines = [
    `imported ${r.source} (issued ${r.issued}, next update ${r.nextUpdate ?? 'none: closed list'}), signed by ${r.signer.subject}`,
    `  added ${r.added.length}, made qualified ${r.requalified.length}, unchanged ${r.unchanged.length}, withdrawn ${r.withdrawn.length}, skipped ${r.skipped.length}`,
  ];
  for (const a of r.added) lines.push(`  added      ${a.qualified ? 'QUALIFIED ' : ''}${a.subject} — ${a.serviceName} (${a.tspName})`);
  for (const a of r.requalified) lines.push(`  qualified  ${a.subject} — ${a.serviceName} (${a.tspName})`);
  for (const w of r.withdrawn) lines.push(`  withdrawn  ${w.subject} — ${w.serviceName}${w.disqualified ? ': qualification removed' : w.present ? '' : ': not in the trust store'}`);
  for (const x of r.skipped) lines.push(`  skipped    ${x.serviceName} (${x.tspName}): ${x.reason}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
