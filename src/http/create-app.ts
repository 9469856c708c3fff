import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { DEFAULT_VALIDATION_POLICY, type TrustAnchor } from '../crypto/index.ts';
import type { GatewayContext } from '../delivery/index.ts';
import { verifyContainer } from '../letters/index.ts';
import { AppError, ERROR_STATUS } from './app-error.ts';
import type { AppEnv } from './env.ts';
import { countRequest, type HttpCounters } from './http-counters.ts';
import { OPENAPI_DOCUMENT } from './openapi.ts';
import { adminRoutes } from './routes/admin.ts';
import { consoleRoutes } from './routes/console.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { messageRoutes } from './routes/messages.ts';
import { saveLimited } from './save-body.ts';

export interface AppDeps {
  trustAnchors: () => readonly TrustAnchor[];
  revocation: 'require' | 'skip';
  maxUploadBytes: number;
  now: () => Date;
  /** Scratch space for uploads being verified. */
  tmpDir?: string;
  /** The delivery service; without it only the stateless routes (/healthz, /verify) exist. */
  gateway?: GatewayContext;
  /** Called after an administrator adds or removes a trust anchor, so a cached anchor list is reloaded. */
  onTrustAnchorsChanged?: () => void;
}

/**
 * The HTTP surface (Hono). Routes call the domains; errors become one JSON shape
 * `{code, message, requestId}` in `onError`, and unknown failures never leak their message.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const counters: HttpCounters = new Map();

  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('X-Request-Id', requestId);
    countRequest(counters, c.req.method, c.res.status);
  });

  app.onError((error, c) => {
    const requestId = c.get('requestId');
    if (error instanceof AppError) {
      const body = error.details === undefined ? { code: error.code, message: error.message, requestId } : { code: error.code, message: error.message, requestId, details: error.details };
      return c.json(body, ERROR_STATUS[error.code]);
    }
    process.stderr.write(`request ${requestId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return c.json({ code: 'INTERNAL', message: 'internal error', requestId }, 500);
  });

  app.notFound((c) => c.json({ code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}`, requestId: c.get('requestId') }, 404));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/api/v1/openapi.json', (c) => c.json(OPENAPI_DOCUMENT));
  app.get('/readyz', (c) => {
    if (deps.trustAnchors().length === 0) throw new AppError('NOT_READY', 'no trust anchors are configured');
    return c.json({ status: 'ready' });
  });

  /** Verifies a letter or receipt container sent as the request body; nothing is stored. */
  app.post('/api/v1/verify', async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(zip|octet-stream)\b/u.test(type)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the container as application/zip');
    }
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > deps.maxUploadBytes) throw new AppError('PAYLOAD_TOO_LARGE', `the limit is ${deps.maxUploadBytes} bytes`);
    const body = c.req.raw.body;
    if (body === null) throw new AppError('BAD_REQUEST', 'empty body');

    const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'edx-verify-'));
    try {
      const path = join(dir, 'container.zip');
      await saveLimited(body, path, deps.maxUploadBytes);
      const result = await verifyContainer({
        containerPath: path,
        trustAnchors: deps.trustAnchors(),
        policy: { ...DEFAULT_VALIDATION_POLICY, revocation: deps.revocation },
        now: deps.now(),
        ...(deps.gateway === undefined ? {} : { revocation: deps.gateway.revocation() }),
      });
      if (!result.ok) {
        const code = result.error.code;
        throw new AppError(code === 'CONTAINER_UNREADABLE' || code === 'CONTAINER_NOT_RECOGNISED' || code === 'ENVELOPE_INVALID' || code === 'RECEIPT_INVALID' ? code : 'BAD_REQUEST', result.error.message);
      }
      return c.json(result.value);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  if (deps.gateway !== undefined) {
    const routeDeps = { gateway: deps.gateway, maxUploadBytes: deps.maxUploadBytes };
    app.route('/api/v1', messageRoutes(routeDeps));
    app.route('/api/v1', inboxRoutes(routeDeps));
    app.route('/api/v1', adminRoutes({ gateway: deps.gateway, onTrustAnchorsChanged: deps.onTrustAnchorsChanged ?? (() => undefined) }));
    app.route('/', metricsRoutes(deps.gateway, counters));
    app.route('/console', consoleRoutes({ gateway: deps.gateway, maxUploadBytes: deps.maxUploadBytes, onTrustAnchorsChanged: deps.onTrustAnchorsChanged ?? (() => undefined) }));
  }

  return app;
}
