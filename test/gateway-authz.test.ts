/**
 * Authorization matrix (issue 3): every route × no token / malformed / revoked / wrong role /
 * another participant / suspended participant. A participant sees only its own inbox and the
 * messages it sent or received; for others' resources the answer is 404, never a hint.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../src/db/index.ts';
import { issueToken, type Role } from '../src/directory/index.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
let messageId: string;
let receiptId: string;

function tokenWith(participantId: string, roles: Role[]): string {
  return issueToken(gw.ctx.db, { participantId, name: 'matrix', roles, now: gw.clock.now, actor: 'test' }).token;
}

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: () => string;
  role: Role | 'send|receive';
  body?: () => FormData | Uint8Array;
  type?: string;
  /** Whether the route addresses one message, so a stranger must get 404. */
  perMessage: boolean;
}

const ROUTES: Route[] = [
  { name: 'submit', method: 'POST', path: () => '/api/v1/messages', role: 'send', body: () => letterForm({ to: ['gov-minfin'] }), perMessage: false },
  { name: 'upload container', method: 'POST', path: () => '/api/v1/containers', role: 'send', body: () => new Uint8Array([0x50, 0x4b]), type: 'application/zip', perMessage: false },
  { name: 'list sent', method: 'GET', path: () => '/api/v1/messages', role: 'send', perMessage: false },
  { name: 'message status', method: 'GET', path: () => `/api/v1/messages/${messageId}`, role: 'send|receive', perMessage: true },
  { name: 'receipt download', method: 'GET', path: () => `/api/v1/messages/${messageId}/receipts/${receiptId}`, role: 'send|receive', perMessage: true },
  { name: 'inbox', method: 'GET', path: () => '/api/v1/inbox', role: 'receive', perMessage: false },
  { name: 'container download', method: 'GET', path: () => `/api/v1/inbox/${messageId}/container`, role: 'receive', perMessage: true },
  { name: 'acknowledge', method: 'POST', path: () => `/api/v1/inbox/${messageId}/ack`, role: 'receive', perMessage: true },
  { name: 'post receipt', method: 'POST', path: () => `/api/v1/inbox/${messageId}/receipts`, role: 'receive', body: () => new Uint8Array([0x50, 0x4b]), type: 'application/zip', perMessage: true },
];

async function call(route: Route, token: string | undefined): Promise<{ status: number; code: string }> {
  const headers: Record<string, string> = token === undefined ? {} : auth(token);
  if (route.type !== undefined) headers['content-type'] = route.type;
  const res = await gw.app.request(route.path(), { method: route.method, headers, ...(route.body === undefined ? {} : { body: route.body() }) });
  const text = await res.text();
  const code = res.headers.get('content-type')?.includes('json') === true ? ((JSON.parse(text) as { code?: string }).code ?? '') : '';
  return { status: res.status, code };
}

beforeAll(async () => {
  gw = await startTestGateway();
  const res = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
  const body = (await res.json()) as { messages: { id: string }[] };
  messageId = body.messages[0]?.id ?? '';
  receiptId = gw.ctx.db.select().from(tables.receipts).where(eq(tables.receipts.messageId, messageId)).get()?.id ?? '';
  expect(receiptId).not.toBe('');
});

afterAll(async () => {
  await gw.dispose();
});

describe.each(ROUTES)('$name ($method)', (route) => {
  it('without a token: 401 UNAUTHENTICATED', async () => {
    expect(await call(route, undefined)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
  it('with a malformed or unknown token: 401', async () => {
    expect((await call(route, 'edx_0000000000000000_' + 'A'.repeat(43))).status).toBe(401);
    expect((await call(route, 'Basic abc')).status).toBe(401);
  });
  it('with a revoked token: 401', async () => {
    const token = tokenWith('demo-refinery', ['send', 'receive']);
    const id = token.split('_')[1] ?? '';
    gw.ctx.db.update(tables.apiTokens).set({ revokedAt: gw.clock.now.toISOString() }).where(eq(tables.apiTokens.id, id)).run();
    expect((await call(route, token)).status).toBe(401);
  });
  it('with a token lacking the role: 403 FORBIDDEN', async () => {
    const roles: Role[] = route.role === 'send' ? ['receive', 'admin'] : route.role === 'receive' ? ['send', 'admin'] : ['admin'];
    const owner = route.role === 'receive' || route.role === 'send|receive' ? 'gov-minprom' : 'demo-refinery';
    expect(await call(route, tokenWith(owner, roles))).toEqual({ status: 403, code: 'FORBIDDEN' });
  });
  if (route.perMessage) {
    it('by a participant the message does not concern: 404', async () => {
      const res = await call(route, tokenWith('gov-minobr', ['send', 'receive']));
      expect(res.status).toBe(404);
    });
  }
});

describe('suspended participants', () => {
  it('cannot authenticate, and cannot be written to', async () => {
    gw.ctx.db.update(tables.participants).set({ state: 'suspended' }).where(eq(tables.participants.id, 'gov-mineconomy')).run();
    const res = await gw.app.request('/api/v1/inbox', { headers: auth(tokenOf(gw, 'gov-mineconomy')) });
    expect(res.status).toBe(401);
    const send = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-mineconomy'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    expect(send.status).toBe(422);
    expect(((await send.json()) as { code: string }).code).toBe('RECIPIENT_SUSPENDED');
  });
});

describe('the sender cannot act as the recipient', () => {
  it('the sender cannot pull, acknowledge or register its own letter', async () => {
    const token = tokenOf(gw, 'demo-refinery');
    for (const path of [`/api/v1/inbox/${messageId}/container`]) {
      expect((await gw.app.request(path, { headers: auth(token) })).status).toBe(404);
    }
    expect((await gw.app.request(`/api/v1/inbox/${messageId}/ack`, { method: 'POST', headers: auth(token) })).status).toBe(404);
    const view = await gw.app.request(`/api/v1/messages/${messageId}`, { headers: auth(token) });
    expect(((await view.json()) as { state: string }).state).toBe('queued');
  });
});
