import { z } from 'zod';
import { DEFAULT_DEV_PARTICIPANTS_FILE, DIGEST_ALGORITHMS, loadDevParticipants } from '../../crypto/index.ts';
import { DOCUMENT_KINDS, type Party } from '../../envelope/index.ts';
import { packLetter } from '../../letters/index.ts';
import { isoDate, parseCommandArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { loadSigningIdentity } from '../load-identity.ts';

export const packUsage = `edx pack --from ID --to ID --kind KIND --reg-number N --reg-date YYYY-MM-DD --subject S
         --signatory-name S --signatory-position S --file PATH [--file PATH ...]
         [--signature PATH ...] [--in-reply-to MESSAGE-ID] [--response-due YYYY-MM-DD]
         [--participants FILE] [--digest sha-256|sha-384|sha-512|streebog-256|streebog-512]
         --key KEY.pem --cert CERT.pem -o OUT.zip

Packs a letter container: every file and the envelope are signed with --key/--cert (CAdES-BES,
detached), or the files' signatures are taken from --signature (named <file name>.p7s) and only
the envelope is signed. The first --file is the main document. Sender and recipient are looked up
by id in --participants (default: the synthetic demo directory). KIND: ${DOCUMENT_KINDS.join(', ')}.
--digest names the envelope's file digests (default sha-256; Streebog of the key's size for a
GOST key); signatures always use the digest their key signs with.`;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu, 'expected a message id (UUID)');
const schema = z.object({
  from: z.string().min(1, 'required'),
  to: z.string().min(1, 'required'),
  kind: z.enum(DOCUMENT_KINDS),
  'reg-number': z.string().min(1, 'required').max(64),
  'reg-date': isoDate,
  subject: z.string().min(1, 'required').max(1000),
  'signatory-name': z.string().min(1, 'required'),
  'signatory-position': z.string().min(1, 'required'),
  file: z.array(z.string()).min(1, 'at least one --file is required'),
  signature: z.array(z.string()).optional(),
  'in-reply-to': uuid.optional(),
  'response-due': isoDate.optional(),
  participants: z.string().optional(),
  digest: z.enum(DIGEST_ALGORITHMS).optional(),
  key: z.string().min(1, 'required'),
  cert: z.string().min(1, 'required'),
  output: z.string().min(1, 'required (-o OUT.zip)'),
});

export async function packCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parseCommandArgs(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      'reg-number': { type: 'string' },
      'reg-date': { type: 'string' },
      subject: { type: 'string' },
      'signatory-name': { type: 'string' },
      'signatory-position': { type: 'string' },
      file: { type: 'string', multiple: true },
      signature: { type: 'string', multiple: true },
      'in-reply-to': { type: 'string' },
      'response-due': { type: 'string' },
      participants: { type: 'string' },
      digest: { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    schema,
  );
  const directory = await loadDevParticipants(v.participants ?? DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!directory.ok) throw new CliError(directory.error.code, directory.error.message);
  const party = (id: string): Party => {
    const p = directory.value.find((x) => x.id === id);
    if (p === undefined) throw new CliError('UNKNOWN_PARTICIPANT', `participant "${id}" is not in the directory`);
    return { id: p.id, name: p.name, inn: p.inn, ogrn: p.ogrn };
  };
  const sender = party(v.from);
  const recipient = party(v.to);
  const signer = await loadSigningIdentity(v.key, v.cert);

  ctx.stderr(`packing ${v.file.length} file(s) for ${recipient.id}…\n`);
  const result = await packLetter({
    outputPath: v.output,
    messageId: ctx.randomId(),
    now: ctx.now(),
    sender,
    recipient,
    document: {
      kind: v.kind,
      regNumber: v['reg-number'],
      regDate: v['reg-date'],
      subject: v.subject,
      signatory: { name: v['signatory-name'], position: v['signatory-position'] },
      ...(v['in-reply-to'] === undefined ? {} : { inReplyTo: v['in-reply-to'].toLowerCase() }),
      ...(v['response-due'] === undefined ? {} : { responseDue: v['response-due'] }),
    },
    files: v.file.map((sourcePath) => ({ sourcePath })),
    ...(v.signature === undefined ? {} : { suppliedSignatures: v.signature.map((sourcePath) => ({ sourcePath })) }),
    signer,
    ...(v.digest === undefined ? {} : { digestAlgorithm: v.digest }),
  });
  if (!result.ok) throw new CliError(result.error.code, result.error.message);
  const e = result.value.envelope;
  ctx.stdout(`${v.output}\n  message ${e.messageId}\n  ${e.sender.id} -> ${e.recipient.id}\n`);
  for (const f of e.files) ctx.stdout(`  ${f.role.padEnd(10)} ${f.name} (${f.size} bytes, ${f.signaturePaths.length} signature(s))\n`);
  return 0;
}
