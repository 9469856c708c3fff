import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { acknowledge, inboxKey, inboxMessage, listInbox, postReceipt } from '../../delivery/index.ts';
import { describeFirstIssue } from '../../envelope/index.ts';
import { AppError, fromDeliveryError } from '../app-error.ts';
import { requireRole } from '../auth.ts';
import type { AppEnv } from '../env.ts';
import { saveLimited } from '../save-body.ts';
import { sendBlob, type RouteDeps } from './messages.ts';

const inboxQuery = z.object({
  cursor: z.string().regex(/^\d{1,18}$/u, 'cursor is the value of nextCursor').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Long poll: when nothing is new, wait up to this many seconds for a letter. */
  wait: z.coerce.number().int().min(0).max(60).default(0),
});

/** The recipient side (role `receive`): inbox, container download, acknowledge, business receipts. */
export function inboxRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { gateway } = deps;
  const app = new Hono<AppEnv>();
  app.use('/inbox', requireRole(gateway.db, 'receive'));
  app.use('/inbox/*', requireRole(gateway.db, 'receive'));

  app.get('/inbox', async (c) => {
    const q = inboxQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('BAD_REQUEST', describeFirstIssue(q.error));
    const participantId = c.get('principal').participantId;
    const list = (): ReturnType<typeof listInbox> =>
      listInbox(gateway, { participantId, limit: q.data.limit, ...(q.data.cursor === undefined ? {} : { cursor: q.data.cursor }) });
    let page = list();
    if (page.items.length === 0 && q.data.wait > 0) {
      // Long poll: an EDMS learns of a letter as soon as it is accepted, without hammering us.
      const changed = await gateway.changes.wait(inboxKey(participantId), q.data.wait * 1000, c.req.raw.signal);
      c.header('X-Edx-Wait', changed ? 'notified' : 'timeout');
      page = list();
    }
    return c.json(page);
  });

  app.get('/inbox/:id/container', async (c) => {
    const row = inboxMessage(gateway, c.get('principal').participantId, c.req.param('id'));
    if (row === undefined) throw new AppError('MESSAGE_NOT_FOUND', 'no such message in your inbox');
    return sendBlob(c, gateway, row.containerBlob, `${row.id}.zip`);
  });

  app.post('/inbox/:id/ack', async (c) => {
    const principal = c.get('principal');
    const result = await acknowledge(gateway, { participantId: principal.participantId, messageId: c.req.param('id'), actor: `token:${principal.tokenId}` });
    if (!result.ok) throw fromDeliveryError(result.error);
    return c.json(result.value);
  });

  app.post('/inbox/:id/receipts', async (c) => {
    const principal = c.get('principal');
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/zip\b/u.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the receipt container as application/zip');
    const body = c.req.raw.body;
    if (body === null) throw new AppError('BAD_REQUEST', 'empty body');
    const dir = await mkdtemp(join(gateway.tmpDir, 'receipt-'));
    try {
      const path = join(dir, 'receipt.zip');
      await saveLimited(body, path, 4 * 1024 * 1024);
      const result = await postReceipt(gateway, { participantId: principal.participantId, messageId: c.req.param('id'), containerPath: path, actor: `token:${principal.tokenId}` });
      if (!result.ok) throw fromDeliveryError(result.error);
      return c.json(result.value, 201);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  return app;
}
