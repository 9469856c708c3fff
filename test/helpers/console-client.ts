import type { TestGateway } from './gateway.ts';

/** A signed-in console user driving `app.request` the way a browser would (cookies, forms, CSRF). */
export interface ConsoleClient {
  cookie: string;
  sessionId: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Posts a urlencoded form; the session's CSRF token is added unless `_csrf` is given. */
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** Posts multipart/form-data; the CSRF token is added unless `_csrf` is already set. */
  postMultipart(path: string, form: FormData, headers?: Record<string, string>): Promise<Response>;
  csrf(): Promise<string>;
}

export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`, 'u').exec(html);
  if (m?.[1] === undefined) throw new Error(`no hidden field ${name} in the page`);
  return m[1];
}

/** Request body bytes and headers as a browser sends them (with Content-Length). */
export async function encodeBody(body: URLSearchParams | FormData): Promise<{ bytes: Uint8Array; type: string }> {
  const r = new Response(body);
  return { bytes: new Uint8Array(await r.arrayBuffer()), type: r.headers.get('content-type') ?? '' };
}

export async function rawPost(gw: TestGateway, path: string, body: URLSearchParams | FormData, headers: Record<string, string> = {}, base = 'http://localhost'): Promise<Response> {
  const { bytes, type } = await encodeBody(body);
  return gw.app.request(`${base}${path}`, { method: 'POST', body: bytes, headers: { 'content-type': type, 'content-length': String(bytes.byteLength), ...headers } });
}

/** GET /console/login, then POST the token with the login CSRF cookie; returns the raw response. */
export async function submitLogin(gw: TestGateway, token: string, base = 'http://localhost'): Promise<Response> {
  const page = await gw.app.request(`${base}/console/login`);
  const loginCookie = /edx_login_csrf=([^;]+)/u.exec(page.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const csrf = hiddenValue(await page.text(), '_csrf');
  return rawPost(gw, '/console/login', new URLSearchParams({ token, _csrf: csrf, lang: 'ru' }), { cookie: `edx_login_csrf=${loginCookie}` }, base);
}

export async function signIn(gw: TestGateway, token: string): Promise<ConsoleClient> {
  const res = await submitLogin(gw, token);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const sessionId = /edx_session=([^;]+)/u.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (sessionId === undefined) throw new Error('no session cookie');
  const cookie = `edx_session=${sessionId}`;
  const client: ConsoleClient = {
    cookie,
    sessionId,
    get: async (path, headers = {}) => gw.app.request(`http://localhost${path}`, { headers: { cookie, ...headers } }),
    csrf: async () => hiddenValue(await (await client.get('/console/settings')).text(), '_csrf'),
    post: async (path, fields, headers = {}) => {
      const body = new URLSearchParams(fields);
      if (!body.has('_csrf')) body.set('_csrf', await client.csrf());
      return rawPost(gw, path, body, { cookie, ...headers });
    },
    postMultipart: async (path, form, headers = {}) => {
      if (!form.has('_csrf')) form.set('_csrf', await client.csrf());
      return rawPost(gw, path, form, { cookie, ...headers });
    },
  };
  return client;
}
