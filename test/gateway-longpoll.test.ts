/**
 * Long polling (issue 3's latency target with 734 polling EDMS): a waiting inbox request is woken by
 * the letter's arrival, a waiting status request by the state change — reported in X-Edx-Wait — and
 * a wait with nothing happening ends as a timeout with an empty page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

describe('long polling', () => {
  it('an inbox waiting for a letter is woken by its arrival', async () => {
    const waiting = gw.app.request('/api/v1/inbox?wait=60', { headers: auth(tokenOf(gw, 'gov-minobr')) });
    await new Promise((r) => setTimeout(r, 50));
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minobr'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id;
    const res = await waiting;
    expect(res.headers.get('x-edx-wait')).toBe('notified');
    expect(((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([id]);
  });

  it('a sender waiting on its message is woken by delivery', async () => {
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minfin'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const waiting = gw.app.request(`/api/v1/messages/${id}?wait=60&changedFrom=queued`, { headers: auth(tokenOf(gw, 'demo-refinery')) });
    await new Promise((r) => setTimeout(r, 50));
    await gw.app.request(`/api/v1/inbox/${id}/ack`, { method: 'POST', headers: auth(tokenOf(gw, 'gov-minfin')) });
    const res = await waiting;
    expect(res.headers.get('x-edx-wait')).toBe('notified');
    expect(((await res.json()) as { state: string }).state).toBe('delivered');
  });

  it('times out with an empty page when nothing happens, and bounds the wait', async () => {
    const now = await gw.app.request('/api/v1/inbox?wait=1', { headers: auth(tokenOf(gw, 'gov-mineconomy')) });
    expect(now.headers.get('x-edx-wait')).toBe('timeout');
    expect(((await now.json()) as { items: unknown[] }).items).toEqual([]);
    const bad = await gw.app.request('/api/v1/inbox?wait=3600', { headers: auth(tokenOf(gw, 'gov-mineconomy')) });
    expect(bad.status).toBe(400);
  });

  it('another participant cannot wait on someone else\'s message', async () => {
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const res = await gw.app.request(`/api/v1/messages/${id}?wait=5&changedFrom=queued`, { headers: auth(tokenOf(gw, 'gov-minobr')) });
    expect(res.status).toBe(404);
  });
});
