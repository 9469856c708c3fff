/** Authorization of every admin route: no token 401, tokens without the admin role 403 (even the operator's), admin passes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../src/directory/index.ts';
import { OPENAPI_DOCUMENT } from '../src/http/openapi.ts';
import { auth, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
const FP = 'a'.repeat(64);

const ROUTES: { method: string; path: string }[] = [
  { method: 'GET', path: '/api/v1/admin/participants' },
  { method: 'POST', path: '/api/v1/admin/participants' },
  { method: 'GET', path: '/api/v1/admin/participants/export' },
  { method: 'POST', path: '/api/v1/admin/participants/import' },
  { method: 'GET', path: '/api/v1/admin/participants/gov-minfin' },
  { method: 'PATCH', path: '/api/v1/admin/participants/gov-minfin' },
  { method: 'POST', path: '/api/v1/admin/participants/gov-minfin/suspend' },
  { method: 'POST', path: '/api/v1/admin/participants/gov-minfin/reactivate' },
  { method: 'GET', path: '/api/v1/admin/participants/gov-minfin/certificates' },
  { method: 'POST', path: '/api/v1/admin/participants/gov-minfin/certificates' },
  { method: 'POST', path: `/api/v1/admin/certificates/${FP}/revoke` },
  { method: 'GET', path: '/api/v1/admin/certificates/expiring' },
  { method: 'GET', path: '/api/v1/admin/trust-anchors' },
  { method: 'POST', path: '/api/v1/admin/trust-anchors' },
  { method: 'DELETE', path: `/api/v1/admin/trust-anchors/${FP}` },
  { method: 'POST', path: '/api/v1/admin/trust-anchors/trusted-list' },
  { method: 'POST', path: '/api/v1/admin/tokens' },
  { method: 'GET', path: '/api/v1/admin/tokens' },
  { method: 'POST', path: '/api/v1/admin/tokens/0000000000000000/revoke' },
  { method: 'GET', path: '/api/v1/admin/audit' },
  { method: 'GET', path: '/api/v1/admin/audit/verify' },
];

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

async function status(route: { method: string; path: string }, token?: string): Promise<{ status: number; code: string }> {
  const headers: Record<string, string> = token === undefined ? {} : auth(token);
  const res = await gw.app.request(route.path, { method: route.method, headers, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: 'x' }) });
  const text = await res.text();
  const code = res.headers.get('content-type')?.includes('json') === true ? ((JSON.parse(text) as { code?: string }).code ?? '') : '';
  return { status: res.status, code };
}

it('the matrix covers every documented admin route', () => {
  const documented = Object.entries(OPENAPI_DOCUMENT.paths)
    .filter(([p]) => p.startsWith('/api/v1/admin'))
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
  const covered = ROUTES.map((r) => `${r.method} ${r.path.replace(`/${FP}`, '/{fingerprint}').replace('/gov-minfin', '/{id}').replace('/0000000000000000', '/{id}')}`);
  expect(covered.sort()).toEqual(documented.sort());
});

describe.each(ROUTES)('$method $path', (route) => {
  it('without a token: 401; with a malformed token: 401', async () => {
    expect(await status(route)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await status(route, 'edx_0000000000000000_' + 'A'.repeat(43))).status).toBe(401);
  });
  it('with send/receive tokens, even of the operator: 403', async () => {
    expect(await status(route, tokenOf(gw, 'demo-refinery'))).toEqual({ status: 403, code: 'FORBIDDEN' });
    const operatorSender = issueToken(gw.ctx.db, { participantId: gw.seed.operatorId, name: 'not admin', roles: ['send', 'receive'], now: gw.clock.now, actor: 'test' }).token;
    expect(await status(route, operatorSender)).toEqual({ status: 403, code: 'FORBIDDEN' });
  });
  it('with the admin token: past authorization', async () => {
    const r = await status(route, gw.adminToken);
    expect([401, 403]).not.toContain(r.status);
  });
});
