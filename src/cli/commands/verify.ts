import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_VALIDATION_POLICY, pemToDerList, type RevocationInput } from '../../crypto/index.ts';
import { classifyEvidence } from '../../crypto/timestamp/index.ts';
import { verifyContainer } from '../../letters/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { formatVerification } from '../format-verification.ts';
import { loadDerObjects, loadTrustAnchors } from '../load-identity.ts';

/** Limits for fetched revocation data: a CRL of a large CA is some MiB; an answer after 10 s is an outage. */
const FETCH_TIMEOUT_MS = 10_000;
const FETCH_MAX_BYTES = 16 * 1024 * 1024;

export const verifyUsage = `edx verify CONTAINER.zip --trust CA.pem [--trust ...] [--qualified-trust CA.pem ...]
           [--crl CRL.pem ...] [--ocsp-response RESP.der ...] [--ocsp --allow-host HOST ...]
           [--tsa-trust CA.pem ...] [--timestamp-token FILE.tst ...] [--evidence DIR]
           [--json] [--no-revocation]

Verifies a letter or receipt container: every file against the envelope and every signature
(ETSI EN 319 102-1 indications). Exit 0 only when every signature is TOTAL-PASSED and the
container is complete; 1 when anything does not pass; 2 for malformed input. Anchors given with
--qualified-trust count as qualified (e.g. the development root, see trust.json of edx pki init).
Revocation checking is required by default: with no source it answers INDETERMINATE/TRY_LATER.
Sources: --crl (PEM or DER CRLs), --ocsp-response (stored OCSP responses), and with --ocsp the
CRL distribution points and OCSP responders named in the certificates, fetched over HTTP from
the hosts given with --allow-host only (HOST or HOST:PORT). --no-revocation skips the check and
the report says so. A signature time-stamp (CAdES-T) is verified against --tsa-trust anchors
(default: the --trust / --qualified-trust anchors); its genTime becomes the best signature time,
and the certificates are judged at it: an expired certificate and a CRL long past its nextUpdate
still verify years later. The TSA's own certificates are checked for revocation at genTime with
the same sources. --timestamp-token gives a token kept beside a signature (DER, RFC 3161), used
for the signature whose signature value it covers. --evidence DIR reads every file of DIR that is
a CRL, an OCSP response or a time-stamp token (recognised by content, e.g. the evidence-N.crl,
evidence-N.ocsp.der and evidence-N.tst the gateway's /messages/ID/evidence/N downloads).
The report's revocationEvidence holds the CRLs / OCSP responses used (base64 DER).`;

const schema = z.object({
  trust: z.array(z.string()).optional(),
  'qualified-trust': z.array(z.string()).optional(),
  json: z.boolean().optional(),
  'no-revocation': z.boolean().optional(),
  crl: z.array(z.string()).optional(),
  'ocsp-response': z.array(z.string()).optional(),
  ocsp: z.boolean().optional(),
  'allow-host': z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/iu, 'expected HOST or HOST:PORT')).optional(),
  'tsa-trust': z.array(z.string()).optional(),
  'timestamp-token': z.array(z.string()).optional(),
  evidence: z.string().optional(),
});

/** The extensions the gateway's evidence download uses: such a file must be recognised. */
const EVIDENCE_EXTENSIONS = new Set(['.crl', '.ocsp', '.der', '.tst']);

/** PEM labels evidence may come in (RFC 7468 §5, §8 and the ones openssl writes). */
const PEM_LABELS = ['X509 CRL', 'OCSP RESPONSE', 'PKCS7', 'CMS'];

interface Evidence {
  crls: Buffer[];
  ocspResponses: Buffer[];
  timestamps: Buffer[];
}

/** Every CRL, OCSP response and time-stamp token in `dir`, by content (DER or PEM); other files are skipped. */
async function loadEvidenceDir(dir: string): Promise<Evidence> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch {
    throw new CliError('FILE_UNREADABLE', `cannot read the evidence directory ${dir}`);
  }
  const out: Evidence = { crls: [], ocspResponses: [], timestamps: [] };
  for (const name of names) {
    const path = join(dir, name);
    const bytes = await readFile(path);
    const pem = PEM_LABELS.flatMap((label) => pemToDerList(bytes, label));
    const objects = pem.length > 0 ? pem : [bytes];
    for (const der of objects) {
      const kind = classifyEvidence(der);
      if (kind === 'crl') out.crls.push(der);
      else if (kind === 'ocsp') out.ocspResponses.push(der);
      else if (kind === 'signature-timestamp') out.timestamps.push(der);
      else if (EVIDENCE_EXTENSIONS.has(extname(name).toLowerCase())) {
        throw new CliError('FILE_UNREADABLE', `${path} is neither a CRL, an OCSP response nor a time-stamp token`);
      }
    }
  }
  return out;
}

async function loadTimestampTokens(paths: readonly string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new CliError('FILE_UNREADABLE', `cannot read time-stamp token ${path}`);
    }
    const pem = PEM_LABELS.flatMap((label) => pemToDerList(bytes, label));
    for (const der of pem.length > 0 ? pem : [bytes]) {
      if (classifyEvidence(der) !== 'signature-timestamp') throw new CliError('FILE_UNREADABLE', `${path} holds no RFC 3161 time-stamp token (DER ContentInfo)`);
      out.push(der);
    }
  }
  return out;
}

export async function verifyCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(
    argv,
    {
      trust: { type: 'string', multiple: true },
      'qualified-trust': { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'no-revocation': { type: 'boolean' },
      crl: { type: 'string', multiple: true },
      'ocsp-response': { type: 'string', multiple: true },
      ocsp: { type: 'boolean' },
      'allow-host': { type: 'string', multiple: true },
      'tsa-trust': { type: 'string', multiple: true },
      'timestamp-token': { type: 'string', multiple: true },
      evidence: { type: 'string' },
    },
    schema,
    true,
  );
  const [containerPath, ...extra] = positionals;
  if (containerPath === undefined || extra.length > 0) throw new CliError('USAGE', 'give exactly one CONTAINER.zip');
  const trustAnchors = await loadTrustAnchors(v.trust ?? [], v['qualified-trust'] ?? []);
  if (trustAnchors.length === 0) throw new CliError('USAGE', 'give at least one --trust or --qualified-trust CA certificate');
  const allowHosts = v['allow-host'] ?? [];
  if (v.ocsp === true && allowHosts.length === 0) throw new CliError('USAGE', '--ocsp needs at least one --allow-host: the gateway contacts only the hosts it is told to');
  if (v.ocsp !== true && allowHosts.length > 0) throw new CliError('USAGE', '--allow-host is used only with --ocsp');
  const skip = v['no-revocation'] === true;
  if (skip && (v.crl !== undefined || v['ocsp-response'] !== undefined || v.ocsp === true)) {
    throw new CliError('USAGE', '--no-revocation contradicts --crl / --ocsp-response / --ocsp');
  }
  const evidence: Evidence = v.evidence === undefined ? { crls: [], ocspResponses: [], timestamps: [] } : await loadEvidenceDir(v.evidence);
  if (skip && evidence.crls.length + evidence.ocspResponses.length > 0) {
    throw new CliError('USAGE', `--no-revocation contradicts the CRLs / OCSP responses in ${v.evidence ?? ''}`);
  }
  const timestamps = [...(await loadTimestampTokens(v['timestamp-token'] ?? [])), ...evidence.timestamps];
  const revocation: RevocationInput = {
    crls: [...(await loadDerObjects(v.crl ?? [], 'X509 CRL', 'CRL')), ...evidence.crls],
    ocspResponses: [...(await loadDerObjects(v['ocsp-response'] ?? [], 'OCSP RESPONSE', 'OCSP response')), ...evidence.ocspResponses],
    ...(v.ocsp === true ? { network: { fetch: ctx.fetch ?? fetch, allowHosts: allowHosts.map((h) => h.toLowerCase()), timeoutMs: FETCH_TIMEOUT_MS, maxBytes: FETCH_MAX_BYTES } } : {}),
  };
  const tsaTrust = v['tsa-trust'] === undefined ? undefined : await loadTrustAnchors(v['tsa-trust'], []);
  const policy = { ...DEFAULT_VALIDATION_POLICY, revocation: skip ? ('skip' as const) : ('require' as const) };
  const result = await verifyContainer({
    containerPath,
    trustAnchors,
    policy,
    now: ctx.now(),
    revocation,
    ...(tsaTrust === undefined ? {} : { timestampTrustAnchors: tsaTrust }),
    ...(timestamps.length === 0 ? {} : { signatureTimestamps: timestamps }),
  });
  if (!result.ok) {
    if (v.json === true) ctx.stdout(`${JSON.stringify({ error: result.error }, null, 2)}\n`);
    throw new CliError(result.error.code, `${containerPath}: ${result.error.message}`);
  }
  ctx.stdout(v.json === true ? `${JSON.stringify(result.value, null, 2)}\n` : formatVerification(result.value));
  return result.value.passed ? EXIT.ok : EXIT.notPassed;
}
