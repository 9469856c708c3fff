import { z } from 'zod';
import { DEFAULT_DEV_PARTICIPANTS_FILE, KEY_ALGORITHMS, initDevPki, loadDevParticipants } from '../../crypto/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';

export const pkiInitUsage = `edx pki init --dir DIR [--participants FILE] [--algorithm ALG] [--force]
             [--revocation-url URL] [--services]

Creates a development PKI in DIR: a root CA (root.pem, marked qualified in trust.json), the
gateway's evidence-seal certificate, and a PKCS#8 key and certificate per participant
(<id>.key.pem, <id>.cert.pem) with the Russian qualified-certificate subject attributes.
FILE is a JSON array of participants; the default is the synthetic demo list.
ALG: ${KEY_ALGORITHMS.join(', ')} (default ecdsa-p256). gost2012-256 uses the
CryptoPro-A parameter set (the one of most Russian qualified certificates), gost2012-512 TC26
512-A; keys are written as OpenSSL's GOST engine writes them. Development keys only.
crl.pem is the root's (empty) CRL, for edx verify --crl. --revocation-url URL puts URL/crl.der
(CRL distribution point) and URL/ocsp (OCSP responder) into the gateway and participant
certificates; --services also issues an OCSP responder certificate (ocsp.cert.pem, OCSPSigning)
and a TSA certificate (tsa.cert.pem, critical timeStamping EKU) with their keys.`;

const schema = z.object({
  dir: z.string().min(1, 'required'),
  participants: z.string().optional(),
  algorithm: z.enum(KEY_ALGORITHMS).optional(),
  force: z.boolean().optional(),
  'revocation-url': z.string().url().optional(),
  services: z.boolean().optional(),
});

export async function pkiInitCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      dir: { type: 'string' },
      participants: { type: 'string' },
      algorithm: { type: 'string' },
      force: { type: 'boolean' },
      'revocation-url': { type: 'string' },
      services: { type: 'boolean' },
    },
    schema,
  );
  const participants = await loadDevParticipants(values.participants ?? DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new CliError(participants.error.code, participants.error.message);
  const algorithm = values.algorithm ?? 'ecdsa-p256';
  ctx.stderr(`creating development PKI (${algorithm}) for ${participants.value.length} participants in ${values.dir}…\n`);
  const result = await initDevPki({
    dir: values.dir,
    participants: participants.value,
    algorithm,
    now: ctx.now(),
    overwrite: values.force === true,
    ...(values['revocation-url'] === undefined ? {} : { revocationBaseUrl: values['revocation-url'] }),
    services: values.services === true,
  }).catch((error: unknown) => {
    throw new CliError('PKI_INIT_FAILED', error instanceof Error ? error.message : String(error));
  });
  ctx.stdout(`root CA:        ${result.rootCertPath}\n`);
  ctx.stdout(`gateway seal:   ${result.gatewayCertPath}\n`);
  ctx.stdout(`CRL:            ${result.crlPath}\n`);
  if (result.ocspResponder !== undefined) ctx.stdout(`OCSP responder: ${result.ocspResponder.certPath}\n`);
  if (result.tsa !== undefined) ctx.stdout(`TSA:            ${result.tsa.certPath}\n`);
  for (const p of result.participants) ctx.stdout(`${p.id.padEnd(15)} ${p.certPath}\n`);
  return 0;
}
