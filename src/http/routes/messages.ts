import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { MESSAGE_STATES } from '../../db/index.ts';
import { acceptContainer, evidenceFile, listMessageEvidence, listSent, messageKey, messageView, receiptBlob, submitLetter, visibleMessage, type GatewayContext } from '../../delivery/index.ts';
import { describeFirstIssue, envelopeDocumentSchema } from '../../envelope/index.ts';
import { AppError, fromDeliveryError } from '../app-error.ts';
import { requireAnyRole, requireRole } from '../auth.ts';
import type { AppEnv } from '../env.ts';
import { parseMultipart } from '../multipart.ts';
import { saveLimited } from '../save-body.ts';

const metadataSchema = z.object({
  to: z.array(z.string().min(1).max(100)).min(1).max(1000),
  document: envelopeDocumentSchema,
});

const viewQuery = z.object({
  /** Long poll: wait up to this many seconds while the message is still in state `changedFrom`. */
  wait: z.coerce.number().int().min(0).max(60).default(0),
  changedFrom: z.enum(MESSAGE_STATES).optional(),
});

const listQuery = z.object({
  state: z.enum(MESSAGE_STATES).optional(),
  to: z.string().max(100).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export interface RouteDeps {
  gateway: GatewayContext;
  maxUploadBytes: number;
}

/** Sending: `POST /messages` (multipart), `POST /containers` (ready ZIP); reading: `GET /messages[/:id]`. */
export function messageRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { gateway } = deps;
  const app = new Hono<AppEnv>();

  app.post('/messages', requireRole(gateway.db, 'send'), async (c) => {
    const principal = c.get('principal');
    const body = c.req.raw.body;
    if (body === null) throw new AppError('BAD_REQUEST', 'empty body');
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > deps.maxUploadBytes) throw new AppError('PAYLOAD_TOO_LARGE', `the limit is ${deps.maxUploadBytes} bytes`);
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/u.test(idempotencyKey)) {
      throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1-200 visible ASCII characters');
    }
    const dir = await mkdtemp(join(gateway.tmpDir, 'upload-'));
    try {
      const headers: Record<string, string> = {};
      c.req.raw.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const parts = await parseMultipart(body, headers, dir, { maxTotalBytes: deps.maxUploadBytes, maxFiles: 200, maxFieldBytes: 256 * 1024 });
      const raw = parts.fields.get('metadata');
      if (raw === undefined) throw new AppError('BAD_REQUEST', 'the multipart part "metadata" (JSON) is missing');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new AppError('BAD_REQUEST', 'metadata is not JSON');
      }
      const metadata = metadataSchema.safeParse(json);
      if (!metadata.success) throw new AppError('BAD_REQUEST', `metadata: ${describeFirstIssue(metadata.error)}`);
      const files = parts.files.filter((f) => f.field === 'files');
      const signatures = parts.files.filter((f) => f.field === 'signatures');
      const stray = parts.files.find((f) => f.field !== 'files' && f.field !== 'signatures');
      if (stray !== undefined) throw new AppError('BAD_REQUEST', `unexpected file part "${stray.field}"; use "files" and "signatures"`);
      if (files.length === 0) throw new AppError('BAD_REQUEST', 'at least one "files" part is required');
      for (const f of files) if (f.filename === '') throw new AppError('BAD_REQUEST', 'every file part needs a filename');
      for (const s of signatures) {
        if (!/\.p7s$/iu.test(s.filename)) throw new AppError('BAD_REQUEST', `signature part "${s.filename}" must be named <file name>.p7s`);
      }
      const result = await submitLetter(gateway, {
        senderId: principal.participantId,
        actor: `token:${principal.tokenId}`,
        to: metadata.data.to,
        document: metadata.data.document,
        files: files.map((f) => ({ path: f.path, name: f.filename, ...(f.mediaType === 'application/octet-stream' ? {} : { mediaType: f.mediaType }) })),
        signatures: signatures.map((s) => ({ path: s.path, forName: s.filename.replace(/\.p7s$/iu, '') })),
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      if (!result.ok) throw fromDeliveryError(result.error);
      const { replayed, ...response } = result.value;
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(response, 202);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.post('/containers', requireRole(gateway.db, 'send'), async (c) => {
    const principal = c.get('principal');
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/zip\b/u.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the container as application/zip');
    const body = c.req.raw.body;
    if (body === null) throw new AppError('BAD_REQUEST', 'empty body');
    const dir = await mkdtemp(join(gateway.tmpDir, 'container-'));
    try {
      const path = join(dir, 'container.zip');
      await saveLimited(body, path, deps.maxUploadBytes);
      const result = await acceptContainer(gateway, { senderId: principal.participantId, actor: `token:${principal.tokenId}`, containerPath: path });
      if (!result.ok) throw fromDeliveryError(result.error);
      return c.json(result.value, 202);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/messages', requireRole(gateway.db, 'send'), (c) => {
    const q = listQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('BAD_REQUEST', describeFirstIssue(q.error));
    const { state, to, after, limit } = q.data;
    return c.json(
      listSent(gateway, {
        participantId: c.get('principal').participantId,
        limit,
        ...(state === undefined ? {} : { state }),
        ...(to === undefined ? {} : { to }),
        ...(after === undefined ? {} : { after }),
      }),
    );
  });

  app.get('/messages/:id', requireAnyRole(gateway.db, ['send', 'receive']), async (c) => {
    const q = viewQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('BAD_REQUEST', describeFirstIssue(q.error));
    const participantId = c.get('principal').participantId;
    const id = c.req.param('id');
    let row = visibleMessage(gateway, participantId, id);
    if (row === undefined) throw new AppError('MESSAGE_NOT_FOUND', 'no such message among those you sent or received');
    if (q.data.wait > 0 && q.data.changedFrom !== undefined && row.state === q.data.changedFrom) {
      // Long poll: the sender learns of delivery, registration or refusal as it happens.
      const changed = await gateway.changes.wait(messageKey(id), q.data.wait * 1000, c.req.raw.signal);
      c.header('X-Edx-Wait', changed ? 'notified' : 'timeout');
      row = visibleMessage(gateway, participantId, id) ?? row;
    }
    return c.json(messageView(gateway, row));
  });

  app.get('/messages/:id/receipts/:receiptId', requireAnyRole(gateway.db, ['send', 'receive']), async (c) => {
    const row = visibleMessage(gateway, c.get('principal').participantId, c.req.param('id'));
    if (row === undefined) throw new AppError('MESSAGE_NOT_FOUND', 'no such message among those you sent or received');
    const blob = receiptBlob(gateway, row.id, c.req.param('receiptId'));
    if (blob === undefined) throw new AppError('NOT_FOUND', 'no such receipt for this message');
    return sendBlob(c, gateway, blob, `receipt-${c.req.param('receiptId')}.zip`);
  });

  /**
   * Long-term evidence (CAdES-LT / -T style): the CRLs and OCSP responses that decided the
   * signatures' revocation status and the signature time-stamp tokens kept beside signatures that
   * stay byte-identical. With the container they let `edx verify --crl … --ocsp-response …`
   * validate the letter again without the network.
   */
  app.get('/messages/:id/evidence', requireAnyRole(gateway.db, ['send', 'receive']), (c) => {
    const row = visibleMessage(gateway, c.get('principal').participantId, c.req.param('id'));
    if (row === undefined) throw new AppError('MESSAGE_NOT_FOUND', 'no such message among those you sent or received');
    return c.json({ messageId: row.id, evidence: listMessageEvidence(gateway, row.id) });
  });

  app.get('/messages/:id/evidence/:evidenceId', requireAnyRole(gateway.db, ['send', 'receive']), async (c) => {
    const row = visibleMessage(gateway, c.get('principal').participantId, c.req.param('id'));
    if (row === undefined) throw new AppError('MESSAGE_NOT_FOUND', 'no such message among those you sent or received');
    const item = listMessageEvidence(gateway, row.id).find((e) => String(e.id) === c.req.param('evidenceId'));
    if (item === undefined) throw new AppError('NOT_FOUND', 'no such evidence for this message');
    const file = evidenceFile(item);
    return sendBlob(c, gateway, item.sha256, file.filename, file.mediaType);
  });

  return app;
}

/** Streams a stored blob as application/zip. */
export async function sendBlob(c: import('hono').Context<AppEnv>, gateway: GatewayContext, blob: string, filename: string, mediaType = 'application/zip'): Promise<Response> {
  const path = await gateway.blobs.pathOf(blob);
  if (path === undefined) throw new Error(`blob ${blob} is missing from the store`);
  c.header('Content-Type', mediaType);
  c.header('Content-Disposition', `attachment; filename="${filename}"`);
  c.header('X-Content-SHA256', blob);
  return stream(c, async (s) => {
    for await (const chunk of Readable.from(gateway.blobs.readStream(blob))) await s.write(chunk as Uint8Array);
  });
}
