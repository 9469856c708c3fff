/** Admin API, tokens and audit: issue (shown once), list (no secrets), revoke; the journal and its verification. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../src/db/index.ts';
import { auth, startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = auth(gw.adminToken);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await gw.app.request(`/api/v1/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe('tokens', () => {
  it('issues a token once; it works for its roles only; the list never shows a secret; revoked it stops', async () => {
    const issued = await call('POST', '/tokens', { participantId: 'gov-minfin', name: 'EDMS connector', roles: ['receive'] });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const token = String(issued.json.token);
    const id = String(issued.json.id);
    expect(token).toMatch(new RegExp(`^edx_${id}_[A-Za-z0-9_-]{43}$`, 'u'));
    expect(issued.json).toMatchObject({ participantId: 'gov-minfin', name: 'EDMS connector', roles: ['receive'], revokedAt: null });
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(200);
    expect((await gw.app.request('/api/v1/messages', { headers: auth(token) })).status).toBe(403);

    const list = await call('GET', '/tokens?participantId=gov-minfin');
    const items = list.json.items as Record<string, unknown>[];
    expect(items.map((t) => t.id)).toContain(id);
    // The base64url secret may itself contain '_': take everything after the id, never a split part.
    const secret = token.slice(`edx_${id}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(list.json)).not.toContain(secret);
    for (const t of items) expect(Object.keys(t).sort()).toEqual(['createdAt', 'id', 'name', 'participantId', 'revokedAt', 'roles']);
    const row = gw.ctx.db.select().from(tables.apiTokens).all().find((t) => t.id === id);
    expect(JSON.stringify(list.json)).not.toContain(row?.secretHash ?? 'missing');

    const revoked = await call('POST', `/tokens/${id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).toBe(gw.clock.now.toISOString());
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(401);
    expect((await call('POST', `/tokens/${id}/revoke`)).status).toBe(409);
    expect((await call('POST', '/tokens/0000000000000000/revoke')).status).toBe(404);

    const journal = (await call('GET', '/audit?type=token.revoked')).json.items as { actor: string; detail: { tokenId: string } }[];
    expect(journal.map((e) => e.detail.tokenId)).toEqual([id]);
    expect(journal[0]?.actor).toBe(`token:${gw.adminToken.split('_')[1] ?? ''}`);
    const issuedRows = (await call('GET', '/audit?type=token.issued&limit=1000')).json.items as { detail: { tokenId: string } }[];
    expect(issuedRows.map((e) => e.detail.tokenId)).toContain(id);
  });
  it('refuses unknown participants, unknown roles, empty names and extra fields', async () => {
    expect((await call('POST', '/tokens', { participantId: 'nobody-here', name: 'x', roles: ['send'] })).status).toBe(404);
    expect((await call('POST', '/tokens', { participantId: 'gov-minfin', name: 'x', roles: ['root'] })).status).toBe(400);
    expect((await call('POST', '/tokens', { participantId: 'gov-minfin', name: ' ', roles: ['send'] })).status).toBe(400);
    expect((await call('POST', '/tokens', { participantId: 'gov-minfin', name: 'x', roles: [] })).status).toBe(400);
    expect((await call('POST', '/tokens', { participantId: 'gov-minfin', name: 'x', roles: ['send'], secret: 'mine' })).status).toBe(400);
  });
});

describe('audit', () => {
  it('pages through the journal in order with nextAfter, filters by type and message', async () => {
    const first = await call('GET', '/audit?limit=5');
    const items = first.json.items as { seq: number; hash: string; prevHash: string }[];
    expect(items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(items[1]?.prevHash).toBe(items[0]?.hash);
    expect(first.json.nextAfter).toBe(5);
    const next = await call('GET', '/audit?after=5&limit=2');
    expect((next.json.items as { seq: number }[]).map((e) => e.seq)).toEqual([6, 7]);
    const all = await call('GET', '/audit?limit=1000');
    expect(all.json.nextAfter).toBeNull();
    const seeded = await call('GET', '/audit?type=directory.seeded');
    expect((seeded.json.items as unknown[]).length).toBe(1);
    expect(((await call('GET', '/audit?messageId=none')).json.items as unknown[]).length).toBe(0);
    expect((await call('GET', '/audit?limit=5000')).status).toBe(400);
  });
  it('verifies the chain, and names a tampered row', async () => {
    const ok = await call('GET', '/audit/verify');
    expect(ok.json).toMatchObject({ ok: true, rows: expect.any(Number), lastHash: expect.stringMatching(/^[0-9a-f]{64}$/u) });
    gw.ctx.db.run(sql`DROP TRIGGER events_no_update`);
    gw.ctx.db.run(sql`UPDATE events SET actor = 'someone else' WHERE seq = 2`);
    expect((await call('GET', '/audit/verify')).json).toEqual({ ok: false, seq: 2, reason: 'row content does not match its hash' });
  });
});
