/** Operations surface: /metrics (Prometheus text) reflects the database; the OpenAPI document covers exactly the routes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../src/http/openapi.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    // Exposition format 0.0.4: name{labels} value
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})?) (-?[0-9.eE+-]+|\+Inf|NaN)$/u.exec(line);
    if (m === null) throw new Error(`not exposition format: ${line}`);
    samples.set(m[1] ?? '', Number(m[2]));
  }
  return samples;
}

describe('/metrics', () => {
  it('counts messages by state and the delivery latency of delivered ones', async () => {
    const res = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom', 'gov-minfin'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    const { messages } = (await res.json()) as { messages: { id: string }[] };
    const first = messages[0]?.id ?? '';
    gw.clock.now = new Date(gw.clock.now.getTime() + 42_000);
    await gw.app.request(`/api/v1/inbox/${first}/ack`, { method: 'POST', headers: auth(tokenOf(gw, 'gov-minprom')) });
    const metrics = await gw.app.request('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const s = parseExposition(await metrics.text());
    expect(s.get('edx_messages{state="queued"}')).toBe(1);
    expect(s.get('edx_messages{state="delivered"}')).toBe(1);
    expect(s.get('edx_delivery_latency_seconds_count')).toBe(1);
    expect(s.get('edx_delivery_latency_seconds_bucket{le="15"}')).toBe(0);
    expect(s.get('edx_delivery_latency_seconds_bucket{le="60"}')).toBe(1);
    expect(s.get('edx_delivery_latency_seconds_sum')).toBeCloseTo(42, 0);
  });
});

describe('/api/v1/openapi.json', () => {
  it('describes every registered route, and only those', async () => {
    const doc = (await (await gw.app.request('/api/v1/openapi.json')).json()) as typeof OPENAPI_DOCUMENT;
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    // The web console (/console) serves HTML pages to people, not the machine API: OpenAPI
    // describes the API only, so console routes are left out on purpose.
    const api = gw.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/console' && !r.path.startsWith('/console/'));
    const registered = new Set(api.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/gu, '{$1}')}`));
    expect([...registered].sort()).toEqual([...documented].sort());
  });
});
