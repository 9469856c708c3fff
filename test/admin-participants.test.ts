/** Admin API, participants: search, create, edit, suspend / reactivate — happy paths, bad input, journal rows. */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables, verifyJournal } from '../src/db/index.ts';
import { auth, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';
import { newParticipant } from './helpers/admin-pki.ts';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = auth(gw.adminToken);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await gw.app.request(`/api/v1/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function events(type: string): { actor: string; detailJson: string }[] {
  return gw.ctx.db.select().from(tables.events).where(eq(tables.events.type, type)).all();
}

function participantCount(): number {
  return gw.ctx.db.select({ n: count() }).from(tables.participants).get()?.n ?? 0;
}

const adminActor = (): string => `token:${gw.adminToken.split('_')[1] ?? ''}`;

describe('GET /admin/participants', () => {
  it('finds by a Cyrillic name in any case (SQLite lower() folds ASCII only), ё as е', async () => {
    const r = await call('GET', `/participants?q=${encodeURIComponent('МИНИСТЕРСТВО ФИНАНСОВ')}`);
    expect(r.status).toBe(200);
    expect((r.json.items as { id: string }[]).map((p) => p.id)).toEqual(['gov-minfin']);
    const short = await call('GET', `/participants?q=${encodeURIComponent('минфин')}`);
    expect((short.json.items as { id: string }[]).map((p) => p.id)).toEqual(['gov-minfin']);
  });
  it('finds by INN or OGRN, exact or prefix', async () => {
    const exact = await call('GET', '/participants?q=5999000055');
    expect((exact.json.items as { id: string }[]).map((p) => p.id)).toEqual(['gov-minfin']);
    const ogrn = await call('GET', '/participants?q=1025900000015');
    expect((ogrn.json.items as { id: string }[]).map((p) => p.id)).toEqual(['demo-refinery']);
    const prefix = await call('GET', '/participants?q=59990000');
    expect(prefix.json.total).toBe(4);
  });
  it('filters by category, kind and state, and pages', async () => {
    const gov = await call('GET', '/participants?category=regional-executive&limit=2&offset=1');
    expect(gov.json).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect((gov.json.items as unknown[]).length).toBe(2);
    const ent = await call('GET', '/participants?kind=enterprise');
    expect((ent.json.items as { id: string }[]).map((p) => p.id).sort()).toEqual(['demo-refinery', 'demo-supplier']);
  });
  it('refuses unknown filters and values with 400', async () => {
    expect((await call('GET', '/participants?category=nope')).status).toBe(400);
    expect((await call('GET', '/participants?limit=0')).status).toBe(400);
    expect((await call('GET', '/participants?colour=red')).status).toBe(400);
  });
});

describe('GET /admin/participants/:id', () => {
  it('shows a participant with its signatory; 404 for an unknown id', async () => {
    const r = await call('GET', '/participants/gov-minfin');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: 'gov-minfin', inn: '5999000055', kpp: '599901001', parentId: 'gov-government', signatory: { surname: 'Орлов' } });
    const missing = await call('GET', '/participants/nobody-here');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 'PARTICIPANT_NOT_FOUND' });
    expect(typeof missing.json.requestId).toBe('string');
  });
});

describe('POST /admin/participants', () => {
  it('creates a participant and journals it in the same transaction', async () => {
    const body = newParticipant({ parentId: 'demo-supplier', deliveryMode: 'push', pushEndpoint: 'https://edms.test.example/inbox' });
    const r = await call('POST', '/participants', body);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ id: body.id, kind: 'enterprise', state: 'active', deliveryMode: 'push' });
    const ev = events('participant.created').filter((e) => JSON.parse(e.detailJson).participantId === body.id);
    expect(ev).toHaveLength(1);
    expect(ev[0]?.actor).toBe(adminActor());
    expect(verifyJournal(gw.ctx.db).ok).toBe(true);
  });
  it('refuses a duplicate id with 409 and writes nothing', async () => {
    const before = participantCount();
    const r = await call('POST', '/participants', newParticipant({ id: 'gov-minfin' }));
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('PARTICIPANT_EXISTS');
    expect(participantCount()).toBe(before);
  });
  it('reports every bad field at once: check digits of INN, OGRN, SNILS; KPP; http push; missing parent', async () => {
    const before = participantCount();
    const eventsBefore = gw.ctx.db.select({ n: count() }).from(tables.events).get()?.n;
    const body = newParticipant({
      inn: '5999000056',
      ogrn: '1035999000059',
      kpp: '59990100',
      deliveryMode: 'push',
      pushEndpoint: 'http://plain.example/inbox',
      signatory: { surname: 'Х', givenName: 'Y', position: 'Z', snils: '11225000574' },
    });
    const r = await call('POST', '/participants', body);
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('PARTICIPANT_INVALID');
    const codes = (r.json.details as { field: string; code: string }[]).map((d) => `${d.field}:${d.code}`).sort();
    expect(codes).toEqual(['inn:INN_CHECK_DIGIT', 'kpp:KPP_FORMAT', 'ogrn:OGRN_CHECK_DIGIT', 'pushEndpoint:NOT_HTTPS', 'signatorySnils:SNILS_CHECK_DIGIT']);
    const orphan = await call('POST', '/participants', newParticipant({ parentId: 'no-such-parent' }));
    expect(orphan.status).toBe(422);
    expect(orphan.json.details).toEqual([{ field: 'parentId', code: 'PARENT_NOT_FOUND', message: expect.any(String) }]);
    expect(participantCount()).toBe(before);
    expect(gw.ctx.db.select({ n: count() }).from(tables.events).get()?.n).toBe(eventsBefore);
  });
  it('reports missing required fields, wrong types and unknown fields', async () => {
    const r = await call('POST', '/participants', { id: 'x-y', inn: 5999000055, colour: 'red' });
    expect(r.status).toBe(422);
    const fields = (r.json.details as { field: string; code: string }[]).map((d) => `${d.field}:${d.code}`).sort();
    expect(fields).toEqual(['colour:UNKNOWN_FIELD', 'inn:INVALID_TYPE']);
    const missing = await call('POST', '/participants', { id: 'x-y' });
    const missingFields = (missing.json.details as { field: string; code: string }[]).map((d) => `${d.field}:${d.code}`).sort();
    expect(missingFields).toEqual(['category:REQUIRED', 'inn:REQUIRED', 'name:REQUIRED', 'ogrn:REQUIRED']);
  });
  it('refuses a body that is not JSON', async () => {
    const res = await gw.app.request('/api/v1/admin/participants', { method: 'POST', headers: { ...auth(gw.adminToken), 'content-type': 'text/plain' }, body: 'id=x' });
    expect(res.status).toBe(415);
    const bad = await gw.app.request('/api/v1/admin/participants', { method: 'POST', headers: { ...auth(gw.adminToken), 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
  });
});

describe('PATCH /admin/participants/:id', () => {
  it('changes only the named fields, re-checks the record, and journals old and new values', async () => {
    const r = await call('PATCH', '/participants/gov-minobr', { email: 'new@gov-minobr.example', address: null });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ email: 'new@gov-minobr.example', address: null, name: 'Министерство образования и науки Пермского края' });
    const ev = events('participant.updated').find((e) => JSON.parse(e.detailJson).participantId === 'gov-minobr');
    expect(JSON.parse(ev?.detailJson ?? '{}').changed.email).toEqual({ from: 'office@gov-minobr.example', to: 'new@gov-minobr.example' });
  });
  it('refuses a changed id or state, bad check digits, a parent cycle, and unknown participants', async () => {
    expect((await call('PATCH', '/participants/gov-minobr', { id: 'other' })).json.details).toMatchObject([{ field: 'id', code: 'IMMUTABLE' }]);
    expect((await call('PATCH', '/participants/gov-minobr', { state: 'suspended' })).json.details).toMatchObject([{ field: 'state', code: 'IMMUTABLE' }]);
    expect((await call('PATCH', '/participants/gov-minobr', { ogrn: '1195999000065' })).json.details).toMatchObject([{ field: 'ogrn', code: 'OGRN_CHECK_DIGIT' }]);
    const cycle = await call('PATCH', '/participants/gov-government', { parentId: 'gov-minobr' });
    expect(cycle.status).toBe(422);
    expect(cycle.json.details).toMatchObject([{ field: 'parentId', code: 'PARENT_CYCLE' }]);
    expect((await call('PATCH', '/participants/nobody-here', { email: 'a@b.example' })).status).toBe(404);
    expect((await call('GET', '/participants/gov-government')).json.parentId).toBeNull();
  });
});

describe('suspend / reactivate', () => {
  it('suspends (its tokens stop working), refuses a second suspend, reactivates; each act journaled', async () => {
    const token = tokenOf(gw, 'gov-minprom');
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(200);
    const s = await call('POST', '/participants/gov-minprom/suspend', { reason: 'reorganisation' });
    expect(s.status).toBe(200);
    expect(s.json.state).toBe('suspended');
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(401);
    const again = await call('POST', '/participants/gov-minprom/suspend');
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('STATE_CONFLICT');
    const r = await call('POST', '/participants/gov-minprom/reactivate');
    expect(r.json.state).toBe('active');
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(200);
    const suspended = events('participant.suspended').map((e) => JSON.parse(e.detailJson) as { participantId: string; reason?: string });
    expect(suspended).toEqual([{ participantId: 'gov-minprom', reason: 'reorganisation' }]);
    expect(events('participant.reactivated')).toHaveLength(1);
  });
  it("refuses to suspend the administrator's own participant, and unknown participants", async () => {
    const own = await call('POST', `/participants/${gw.seed.operatorId}/suspend`);
    expect(own.status).toBe(409);
    expect((await gw.app.request('/api/v1/admin/participants', { headers: auth(gw.adminToken) })).status).toBe(200);
    expect((await call('POST', '/participants/nobody-here/suspend')).status).toBe(404);
  });
});
