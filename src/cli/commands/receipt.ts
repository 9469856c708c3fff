import { z } from 'zod';
import { createReceipt, type BusinessReceiptDecision } from '../../letters/index.ts';
import { isoDate, parseCommandArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { loadSigningIdentity } from '../load-identity.ts';

export const receiptUsage = `edx receipt --for CONTAINER.zip --kind registered --number N --date YYYY-MM-DD
            --key KEY.pem --cert CERT.pem -o RECEIPT.zip
edx receipt --for CONTAINER.zip --kind refused --reason-code CODE --reason TEXT
            --key KEY.pem --cert CERT.pem -o RECEIPT.zip

Makes the recipient's signed receipt for a letter: registered (with the recipient's registration
number and date) or refused (with a reason). It names the message and the SHA-256 of its envelope;
the signature uses SHA-256, or Streebog for a GOST key.`;

const schema = z
  .object({
    for: z.string().min(1, 'required'),
    kind: z.enum(['registered', 'refused']),
    number: z.string().min(1).max(64).optional(),
    date: isoDate.optional(),
    'reason-code': z.string().regex(/^[A-Za-z0-9._-]{1,64}$/u, 'letters, digits, . _ - (up to 64)').optional(),
    reason: z.string().min(1).max(2000).optional(),
    key: z.string().min(1, 'required'),
    cert: z.string().min(1, 'required'),
    output: z.string().min(1, 'required (-o RECEIPT.zip)'),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'registered' && (v.number === undefined || v.date === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a registered receipt needs --number and --date', path: ['kind'] });
    }
    if (v.kind === 'refused' && (v['reason-code'] === undefined || v.reason === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a refused receipt needs --reason-code and --reason', path: ['kind'] });
    }
  });

export async function receiptCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parseCommandArgs(
    argv,
    {
      for: { type: 'string' },
      kind: { type: 'string' },
      number: { type: 'string' },
      date: { type: 'string' },
      'reason-code': { type: 'string' },
      reason: { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    schema,
  );
  const decision: BusinessReceiptDecision =
    v.kind === 'registered'
      ? { kind: 'registered', registration: { number: v.number ?? '', date: v.date ?? '' } }
      : { kind: 'refused', reason: { code: v['reason-code'] ?? '', text: v.reason ?? '' } };
  const signer = await loadSigningIdentity(v.key, v.cert);
  const result = await createReceipt({
    letterContainerPath: v.for,
    decision,
    signer,
    receiptId: ctx.randomId(),
    now: ctx.now(),
    outputPath: v.output,
  });
  if (!result.ok) throw new CliError(result.error.code, `${v.for}: ${result.error.message}`);
  const r = result.value.receipt;
  ctx.stdout(`${v.output}\n  receipt ${r.receiptId}: ${r.kind} for message ${r.messageId}\n`);
  return 0;
}
