import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { addSignatureTimestamp } from '../../crypto/index.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { loadTrustAnchors } from '../load-identity.ts';

const TSA_TIMEOUT_MS = 10_000;

export const timestampUsage = `edx timestamp --for SIG.p7s --tsa URL --tsa-trust CA.pem [--tsa-trust ...]
              [--allow-host HOST ...] -o OUT.p7s

Makes a CAdES-BES signature CAdES-T (ETSI EN 319 122-1): asks the RFC 3161 time-stamping
authority at URL for a token over each SignerInfo's signature value, checks it (imprint, nonce,
TSA certificate with the critical timeStamping EKU chaining to --tsa-trust) and writes the
signature with the token added as the signatureTimeStampToken unsigned attribute. The signed
attributes and the signature value are unchanged. With --allow-host the TSA's host must be one
of them. SIG.p7s must be DER.`;

const schema = z.object({
  for: z.string().min(1, 'required'),
  tsa: z.string().url(),
  'tsa-trust': z.array(z.string()).min(1, 'at least one --tsa-trust is required'),
  'allow-host': z.array(z.string()).optional(),
  o: z.string().min(1, 'required'),
});

export async function timestampCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parseCommandArgs(
    argv,
    {
      for: { type: 'string' },
      tsa: { type: 'string' },
      'tsa-trust': { type: 'string', multiple: true },
      'allow-host': { type: 'string', multiple: true },
      o: { type: 'string', short: 'o' },
    },
    schema,
  );
  const tsaHost = new URL(v.tsa).host.toLowerCase();
  const allowed = v['allow-host']?.map((h) => h.toLowerCase());
  if (allowed !== undefined && !allowed.includes(tsaHost) && !allowed.includes(new URL(v.tsa).hostname.toLowerCase())) {
    throw new CliError('NOT_ALLOWED', `the TSA host ${tsaHost} is not among --allow-host`);
  }
  let signature: Buffer;
  try {
    signature = await readFile(v.for);
  } catch {
    throw new CliError('FILE_UNREADABLE', `cannot read signature ${v.for}`);
  }
  const tsaTrustAnchors = await loadTrustAnchors(v['tsa-trust'], []);
  const result = await addSignatureTimestamp({ signature, tsaUrl: v.tsa, fetch: ctx.fetch ?? fetch, timeoutMs: TSA_TIMEOUT_MS, tsaTrustAnchors, now: ctx.now() });
  if (!result.ok) {
    // The TSA being unreachable or refusing is worth a retry (exit 1); an unusable input is not (exit 2).
    const retryable = result.error.code !== 'CMS_NOT_DER';
    throw new CliError(result.error.code, result.error.message, retryable ? EXIT.notPassed : EXIT.badInput);
  }
  await writeFile(v.o, result.value.signature);
  for (const t of result.value.genTimes) ctx.stdout(`time-stamped at ${t.toISOString()}\n`);
  ctx.stdout(`written ${v.o}\n`);
  return EXIT.ok;
}
