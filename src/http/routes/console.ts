import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import {
  addTrustAnchorCertificate,
  getParticipantView,
  issueApiToken,
  listApiTokens,
  listExpiringCertificates,
  listParticipantCertificates,
  listTrustAnchorViews,
  removeTrustAnchor,
  revokeApiToken,
  verifyAuditJournal,
  revokeCertificate,
  searchParticipants,
  updateParticipant,
  uploadCertificates,
  type AdminContext,
  type AdminWarning,
  type RawRecord,
} from '../../admin/index.ts';
import {
  addDays,
  auditPage,
  auditVerifyPage,
  closeSession,
  composePage,
  csrfMatches,
  dashboardFigures,
  DEFAULT_LANG,
  DEFAULT_TIME_ZONE,
  dashboardPage,
  deliveryCsv,
  deliveryReport,
  deliveryReportPage,
  directoryPage,
  disciplineCsv,
  disciplineReport,
  disciplineReportPage,
  EDITABLE_FIELDS,
  findSession,
  isLang,
  canonicalTimeZone,
  localDate,
  loginPage,
  makeView,
  messagePage,
  messagesPage,
  openSession,
  participantNames,
  participantPage,
  problemPage,
  resolveParticipant,
  sameOriginRequest,
  searchJournal,
  searchMessages,
  sentPage,
  setSessionPreferences,
  settingsPage,
  startOfLocalDay,
  STATIC_FILES,
  tokensPage,
  trustPage,
  zoneOffsetMs,
  type ComposeValues,
  type ConsoleSession,
  type Lang,
  type MessageFilters,
  type Scope,
  type View,
} from '../../console/index.ts';
import { MESSAGE_STATES, tables } from '../../db/index.ts';
import { evidenceFile, listMessageEvidence, messageView, receiptBlob, submitLetter, visibleMessage, type GatewayContext, type MessageRow } from '../../delivery/index.ts';
import { ROLES, type Role } from '../../directory/index.ts';
import { envelopeDocumentSchema, describeFirstIssue } from '../../envelope/index.ts';
import { eq } from 'drizzle-orm';
import { sendBlob } from './messages.ts';

export interface ConsoleRouteDeps {
  gateway: GatewayContext;
  maxUploadBytes: number;
  /** Randomness for session ids and CSRF tokens (injected so tests can pin it). */
  random?: (bytes: number) => Buffer;
  /** Called after a trust anchor was added or removed, so the verifier's cached anchors are reloaded. */
  onTrustAnchorsChanged?: () => void;
}

type ConsoleEnv = { Variables: { requestId: string; session: ConsoleSession | undefined; view: View } };
type C = Context<ConsoleEnv>;

const SESSION_COOKIE = 'edx_session';
const LOGIN_CSRF_COOKIE = 'edx_login_csrf';
const LANG_COOKIE = 'edx_lang';
const FORM_LIMIT = 64 * 1024;
const CERTIFICATE_LIMIT = 1024 * 1024;
const PAGE_SIZE = 50;

/**
 * CSP without 'unsafe-inline': one static stylesheet and one static script; forms post only to
 * us; the console cannot be framed (clickjacking).
 */
const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STATIC = Object.fromEntries(STATIC_FILES.map((f) => [f.name, { body: readFileSync(f.path), type: f.type }]));

class ConsoleRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 422,
    readonly kind: 'forbidden' | 'not-found' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

function isHttps(c: C): boolean {
  return new URL(c.req.url).protocol === 'https:';
}

function cookieOptions(c: C, maxAgeSeconds?: number) {
  return { path: '/console', httpOnly: true, sameSite: 'Strict' as const, secure: isHttps(c), ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }) };
}

/** Refuses a cross-site POST before its body is read (Fetch Metadata, Origin). */
function checkOrigin(c: C): void {
  if (!sameOriginRequest({ url: c.req.url, origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') })) {
    throw new ConsoleRefusal(403, 'forbidden', 'cross-site request refused');
  }
}

function declaredLength(c: C, limit: number): void {
  const header = c.req.header('content-length');
  // Browsers always send Content-Length with a form; requiring it bounds what formData() buffers.
  if (header === undefined || !/^\d+$/u.test(header)) throw new ConsoleRefusal(400, 'refused', 'Content-Length is required');
  if (Number(header) > limit) throw new ConsoleRefusal(413, 'refused', `the request is larger than ${limit} bytes`);
}

/** A POST form of a signed-in user: same origin, bounded, carrying the session's CSRF token. */
async function postForm(c: C, limit: number = FORM_LIMIT): Promise<{ session: ConsoleSession; form: FormData }> {
  const session = c.get('session');
  checkOrigin(c);
  if (session === undefined) throw new ConsoleRefusal(403, 'forbidden', 'sign in first');
  declaredLength(c, limit);
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new ConsoleRefusal(400, 'refused', 'the form could not be read');
  }
  if (!csrfMatches(session.csrfToken, form.get('_csrf'))) throw new ConsoleRefusal(403, 'forbidden', 'the form has expired or did not come from this console (CSRF token mismatch)');
  return { session, form };
}

function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

function requireAdmin(c: C): ConsoleSession {
  const s = c.get('session');
  if (s === undefined || !s.roles.includes('admin')) throw new ConsoleRefusal(403, 'forbidden', 'administrators only');
  return s;
}

function scopeOf(s: ConsoleSession): Scope {
  return s.roles.includes('admin') ? { all: true } : { all: false, participantId: s.participantId };
}

function flashText(v: View, key: string | undefined): string | undefined {
  switch (key) {
    case 'saved':
      return v.t.saved;
    case 'revoked':
      return v.t.tokenRevoked;
    case 'cert-revoked':
      return `${v.t.revoke}: ${v.t.revoked}`;
    case 'settings':
      return v.t.settingsSaved;
    case 'anchor-added':
      return v.t.anchorAdded;
    case 'anchor-removed':
      return v.t.anchorRemoved;
    default:
      return undefined;
  }
}

const dateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u);

/**
 * The web console (issue 6): server-rendered pages under /console, signed in with an API token,
 * session in an HttpOnly SameSite=Strict cookie, CSRF synchronizer tokens in every form. It calls
 * the same use-cases as the API and applies the same authorization: an administrator sees all
 * messages, a participant only those it sent or received.
 */
export function consoleRoutes(deps: ConsoleRouteDeps): Hono<ConsoleEnv> {
  const { gateway } = deps;
  const random = deps.random ?? ((n: number) => randomBytes(n));
  const admin: AdminContext = { db: gateway.db, now: gateway.now };
  const app = new Hono<ConsoleEnv>();

  app.use('*', async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = id === undefined ? undefined : findSession(gateway.db, id, gateway.now());
    c.set('session', session);
    const cookieLang = getCookie(c, LANG_COOKIE);
    const queryLang = c.req.query('lang');
    const lang: Lang = session?.lang ?? (isLang(queryLang) ? queryLang : isLang(cookieLang) ? cookieLang : DEFAULT_LANG);
    c.set('view', makeView({ lang, tz: session?.timeZone ?? DEFAULT_TIME_ZONE, session, path: c.req.path }));
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    // Not 'no-referrer': under it Chromium sends `Origin: null` with our own forms, which the
    // origin check must refuse; 'same-origin' keeps URLs from other sites and the Origin for us.
    c.header('Referrer-Policy', 'same-origin');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (!c.req.path.startsWith('/console/static/')) c.header('Cache-Control', 'no-store');
  });

  app.onError((error, c) => {
    const v = c.get('view');
    if (error instanceof ConsoleRefusal) return c.html(problemPage(v, error.kind, error.message), error.status);
    process.stderr.write(`console request ${c.get('requestId')} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return c.html(problemPage(v, 'refused', 'internal error'), 500);
  });

  app.get('/static/:name', (c) => {
    const f = STATIC[c.req.param('name')];
    if (f === undefined) throw new ConsoleRefusal(404, 'not-found', 'no such file');
    return c.body(new Uint8Array(f.body), 200, { 'content-type': f.type, 'cache-control': 'public, max-age=3600' });
  });

  // --- sign-in ---------------------------------------------------------------------------------

  const renderLogin = (c: C, status: 200 | 401, error?: string): Response => {
    const csrf = random(32).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, cookieOptions(c, 3600));
    return c.html(loginPage(c.get('view'), { loginCsrf: csrf, ...(error === undefined ? {} : { error }) }), status);
  };

  app.get('/login', (c) => {
    const lang = c.req.query('lang');
    if (isLang(lang)) setCookie(c, LANG_COOKIE, lang, { path: '/console', sameSite: 'Strict', secure: isHttps(c), maxAge: 365 * 86400 });
    return renderLogin(c, 200);
  });

  app.post('/login', async (c) => {
    checkOrigin(c);
    declaredLength(c, FORM_LIMIT);
    const form = await c.req.formData();
    // No session yet: a double-submit cookie stops login CSRF (signing a victim into our account).
    const expected = getCookie(c, LOGIN_CSRF_COOKIE);
    if (expected === undefined || !csrfMatches(expected, form.get('_csrf'))) throw new ConsoleRefusal(403, 'forbidden', 'the sign-in form has expired; reload it');
    const formLang = text(form, 'lang');
    const lang: Lang = isLang(formLang) ? formLang : c.get('view').lang;
    const opened = openSession(gateway.db, { token: text(form, 'token'), now: gateway.now(), random, lang });
    if (opened === undefined) {
      c.set('view', makeView({ lang, tz: c.get('view').tz, session: undefined, path: c.req.path }));
      return renderLogin(c, 401, c.get('view').t.loginFailed);
    }
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/console' });
    setCookie(c, SESSION_COOKIE, opened.id, cookieOptions(c));
    return c.redirect('/console', 303);
  });

  app.post('/logout', async (c) => {
    const { session } = await postForm(c);
    closeSession(gateway.db, session.idHash);
    deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: isHttps(c) });
    return c.redirect('/console/login', 303);
  });

  // Every other page needs a session; a GET without one goes to the sign-in page.
  app.use('*', async (c, next) => {
    if (c.get('session') === undefined && !c.req.path.startsWith('/console/static/')) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect('/console/login', 303);
      throw new ConsoleRefusal(403, 'forbidden', 'sign in first');
    }
    await next();
    return undefined;
  });

  const signedIn = (c: C): ConsoleSession => {
    const s = c.get('session');
    if (s === undefined) throw new ConsoleRefusal(403, 'forbidden', 'sign in first');
    return s;
  };

  // --- settings --------------------------------------------------------------------------------

  const zones = Intl.supportedValuesOf('timeZone');
  app.get('/settings', (c) => {
    const v = c.get('view');
    const flash = flashText(v, c.req.query('flash'));
    return c.html(settingsPage(v, { zones, ...(flash === undefined ? {} : { flash }) }));
  });

  app.post('/settings', async (c) => {
    const { session, form } = await postForm(c);
    const lang = text(form, 'lang');
    const tz = canonicalTimeZone(text(form, 'tz'));
    if (!isLang(lang) || tz === undefined) {
      return c.html(settingsPage(c.get('view'), { zones, error: c.get('view').t.badTimeZone }), 422);
    }
    setSessionPreferences(gateway.db, session.idHash, { lang, timeZone: tz });
    const back = text(form, 'back');
    // Only our own pages: an open redirect would let a link send users anywhere.
    const target = /^\/console(\/[A-Za-z0-9/_.-]*)?$/u.test(back) ? back : '/console';
    return c.redirect(target === '/console/settings' ? '/console/settings?flash=settings' : target, 303);
  });

  // --- dashboard -------------------------------------------------------------------------------

  app.get('/', (c) => {
    const s = signedIn(c);
    const v = c.get('view');
    const today = localDate(gateway.now(), v.tz);
    const figures = dashboardFigures(gateway.db, scopeOf(s), today);
    const expiring = listExpiringCertificates(admin, { days: 30 }).filter((x) => v.isAdmin || x.participantId === s.participantId);
    return c.html(dashboardPage(v, figures, expiring));
  });

  // --- messages --------------------------------------------------------------------------------

  app.get('/messages', (c) => {
    const s = signedIn(c);
    const v = c.get('view');
    const q = c.req.query();
    const filters: MessageFilters = {
      reg: (q.reg ?? '').trim().slice(0, 100),
      subject: (q.subject ?? '').trim().slice(0, 200),
      sender: (q.sender ?? '').trim().slice(0, 100),
      recipient: (q.recipient ?? '').trim().slice(0, 100),
      state: (MESSAGE_STATES as readonly string[]).includes(q.state ?? '') ? (q.state ?? '') : '',
      from: dateParam.safeParse(q.from).success ? (q.from ?? '') : '',
      to: dateParam.safeParse(q.to).success ? (q.to ?? '') : '',
    };
    const before = /^\d{1,15}$/u.test(q.before ?? '') ? Number(q.before) : undefined;
    const senderId = filters.sender === '' ? undefined : (resolveParticipant(gateway.db, filters.sender) ?? filters.sender);
    const recipientId = filters.recipient === '' ? undefined : (resolveParticipant(gateway.db, filters.recipient) ?? filters.recipient);
    const from = filters.from === '' ? undefined : startOfLocalDay(filters.from, v.tz)?.toISOString();
    const to = filters.to === '' ? undefined : startOfLocalDay(addDays(filters.to, 1), v.tz)?.toISOString();
    const state = MESSAGE_STATES.find((x) => x === filters.state);
    const result = searchMessages(gateway.db, scopeOf(s), {
      limit: PAGE_SIZE,
      ...(filters.reg === '' ? {} : { regNumber: filters.reg }),
      ...(filters.subject === '' ? {} : { subject: filters.subject }),
      ...(senderId === undefined ? {} : { senderId }),
      ...(recipientId === undefined ? {} : { recipientId }),
      ...(state === undefined ? {} : { state }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(before === undefined ? {} : { before }),
    });
    const params = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
    const link = (extra: Record<string, string>): string => {
      const p = new URLSearchParams(params);
      for (const [k, value] of Object.entries(extra)) p.set(k, value);
      const qs = p.toString();
      return qs === '' ? '/console/messages' : `/console/messages?${qs}`;
    };
    return c.html(
      messagesPage(v, {
        filters,
        items: result.items,
        nextHref: result.nextBefore === null ? null : link({ before: String(result.nextBefore) }),
        firstHref: before === undefined ? null : link({}),
      }),
    );
  });

  /** The message if this user may see it: an administrator any, a participant its own (no existence oracle). */
  const visible = (s: ConsoleSession, id: string): MessageRow => {
    const row = s.roles.includes('admin') ? gateway.db.select().from(tables.messages).where(eq(tables.messages.id, id)).get() : visibleMessage(gateway, s.participantId, id);
    if (row === undefined) throw new ConsoleRefusal(404, 'not-found', 'no such message among those you may see');
    return row;
  };

  app.get('/messages/:id', (c) => {
    const s = signedIn(c);
    const view = messageView(gateway, visible(s, c.req.param('id')));
    const names = participantNames(gateway.db, [view.from, view.to, ...view.receipts.map((r) => r.issuerId)]);
    return c.html(messagePage(c.get('view'), { view, names, evidence: listMessageEvidence(gateway, view.id) }));
  });

  app.get('/messages/:id/evidence/:evidenceId', async (c) => {
    const row = visible(signedIn(c), c.req.param('id'));
    const item = listMessageEvidence(gateway, row.id).find((e) => String(e.id) === c.req.param('evidenceId'));
    if (item === undefined) throw new ConsoleRefusal(404, 'not-found', 'no such evidence for this message');
    const file = evidenceFile(item);
    return sendBlob(c as unknown as Parameters<typeof sendBlob>[0], gateway, item.sha256, file.filename, file.mediaType);
  });

  app.get('/messages/:id/container', async (c) => {
    const row = visible(signedIn(c), c.req.param('id'));
    return sendBlob(c as unknown as Parameters<typeof sendBlob>[0], gateway, row.containerBlob, `message-${row.id}.zip`);
  });

  app.get('/messages/:id/receipts/:receiptId', async (c) => {
    const row = visible(signedIn(c), c.req.param('id'));
    const blob = receiptBlob(gateway, row.id, c.req.param('receiptId'));
    if (blob === undefined) throw new ConsoleRefusal(404, 'not-found', 'no such receipt for this message');
    return sendBlob(c as unknown as Parameters<typeof sendBlob>[0], gateway, blob, `receipt-${c.req.param('receiptId')}.zip`);
  });

  // --- directory -------------------------------------------------------------------------------

  app.get('/directory', (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const offsetText = c.req.query('offset') ?? '0';
    const offset = /^\d{1,7}$/u.test(offsetText) ? Number(offsetText) : 0;
    const result = searchParticipants(admin, { limit: PAGE_SIZE, offset, ...(q === '' ? {} : { q }) });
    return c.html(directoryPage(c.get('view'), { q, items: result.items, total: result.total, offset, limit: PAGE_SIZE }));
  });

  const participantOr404 = (id: string) => {
    const p = getParticipantView(admin, { id });
    if (!p.ok) throw new ConsoleRefusal(404, 'not-found', `no participant ${id}`);
    const certs = listParticipantCertificates(admin, { participantId: id });
    return { participant: p.value, certificates: certs.ok ? certs.value : [] };
  };

  app.get('/directory/:id', (c) => {
    const v = c.get('view');
    const flash = flashText(v, c.req.query('flash'));
    return c.html(participantPage(v, { ...participantOr404(c.req.param('id')), ...(flash === undefined ? {} : { flash }) }));
  });

  app.post('/directory/:id', async (c) => {
    const { session, form } = await postForm(c);
    requireAdmin(c);
    const id = c.req.param('id');
    const values: Partial<Record<(typeof EDITABLE_FIELDS)[number], string>> = {};
    const changes: RawRecord = {};
    for (const f of EDITABLE_FIELDS) {
      const value = form.get(f);
      if (typeof value === 'string') {
        values[f] = value;
        changes[f] = value.trim();
      }
    }
    const result = updateParticipant(admin, { id, changes, actor: `console:${session.tokenId}` });
    if (!result.ok) {
      const details = Array.isArray(result.error.details) ? (result.error.details as { field: string; code: string; message: string }[]) : [];
      const status = result.error.code === 'PARTICIPANT_NOT_FOUND' ? 404 : 422;
      return c.html(participantPage(c.get('view'), { ...participantOr404(id), values, fieldErrors: details, error: result.error.message }), status);
    }
    return c.redirect(`/console/directory/${encodeURIComponent(id)}?flash=saved`, 303);
  });

  app.post('/directory/:id/certificates', async (c) => {
    const { session, form } = await postForm(c, CERTIFICATE_LIMIT + 16 * 1024);
    requireAdmin(c);
    const id = c.req.param('id');
    const file = form.get('certificate');
    if (file === null || typeof file === 'string' || file.size === 0) {
      return c.html(participantPage(c.get('view'), { ...participantOr404(id), error: c.get('view').t.certificateFile }), 400);
    }
    const result = uploadCertificates(admin, { participantId: id, body: new Uint8Array(await file.arrayBuffer()), actor: `console:${session.tokenId}` });
    if (!result.ok) {
      return c.html(participantPage(c.get('view'), { ...participantOr404(id), error: `${result.error.code}: ${result.error.message}` }), result.error.code === 'PARTICIPANT_NOT_FOUND' ? 404 : 422);
    }
    const warnings: AdminWarning[] = result.value.warnings;
    return c.html(participantPage(c.get('view'), { ...participantOr404(id), warnings, flash: c.get('view').t.uploaded }), result.value.certificates.some((x) => x.created) ? 201 : 200);
  });

  app.post('/certificates/:fingerprint/revoke', async (c) => {
    const { session, form } = await postForm(c);
    requireAdmin(c);
    const fp = c.req.param('fingerprint').toLowerCase();
    if (!/^[0-9a-f]{64}$/u.test(fp)) throw new ConsoleRefusal(400, 'refused', 'bad fingerprint');
    const result = revokeCertificate(admin, { fingerprint: fp, actor: `console:${session.tokenId}` });
    if (!result.ok) throw new ConsoleRefusal(result.error.code === 'CERTIFICATE_NOT_FOUND' ? 404 : 422, 'refused', `${result.error.code}: ${result.error.message}`);
    const pid = text(form, 'participantId') || result.value.participantId;
    return c.redirect(`/console/directory/${encodeURIComponent(pid)}?flash=cert-revoked`, 303);
  });

  // --- tokens ----------------------------------------------------------------------------------

  app.get('/tokens', (c) => {
    requireAdmin(c);
    const v = c.get('view');
    const flash = flashText(v, c.req.query('flash'));
    return c.html(tokensPage(v, { tokens: listApiTokens(admin, {}), ...(flash === undefined ? {} : { flash }) }));
  });

  app.post('/tokens', async (c) => {
    const { session, form } = await postForm(c);
    requireAdmin(c);
    const participantId = text(form, 'participantId');
    const name = text(form, 'name');
    const roles: Role[] = ROLES.filter((r) => form.get(`role-${r}`) === 'on');
    const v = c.get('view');
    if (participantId === '' || name === '' || name.length > 200 || roles.length === 0) {
      return c.html(tokensPage(v, { tokens: listApiTokens(admin, {}), error: `${v.t.participantId}, ${v.t.tokenName}, ${v.t.roles}`, values: { participantId, name } }), 422);
    }
    const result = issueApiToken(admin, { participantId, name, roles, actor: `console:${session.tokenId}` });
    if (!result.ok) return c.html(tokensPage(v, { tokens: listApiTokens(admin, {}), error: `${result.error.code}: ${result.error.message}`, values: { participantId, name } }), 422);
    return c.html(tokensPage(v, { tokens: listApiTokens(admin, {}), issued: { token: result.value.token, name } }), 201);
  });

  app.post('/tokens/:id/revoke', async (c) => {
    const { session } = await postForm(c);
    requireAdmin(c);
    const result = revokeApiToken(admin, { tokenId: c.req.param('id'), actor: `console:${session.tokenId}` });
    if (!result.ok) throw new ConsoleRefusal(result.error.code === 'TOKEN_NOT_FOUND' ? 404 : 422, 'refused', `${result.error.code}: ${result.error.message}`);
    // Revoking the token this session runs on signs the user out at the next request.
    return c.redirect('/console/tokens?flash=revoked', 303);
  });

  // --- trust store ---------------------------------------------------------------------------

  const anchorsChanged = deps.onTrustAnchorsChanged ?? (() => undefined);

  app.get('/trust', (c) => {
    requireAdmin(c);
    const v = c.get('view');
    const flash = flashText(v, c.req.query('flash'));
    return c.html(trustPage(v, { anchors: listTrustAnchorViews(admin), ...(flash === undefined ? {} : { flash }) }));
  });

  app.post('/trust', async (c) => {
    const { session, form } = await postForm(c, CERTIFICATE_LIMIT + 16 * 1024);
    requireAdmin(c);
    const v = c.get('view');
    const values = { label: text(form, 'label').slice(0, 200), qualified: form.get('qualified') === 'on' };
    const again = (error: string, status: 400 | 409 | 422) => c.html(trustPage(v, { anchors: listTrustAnchorViews(admin), error, values }), status);
    const file = form.get('certificate');
    if (file === null || typeof file === 'string' || file.size === 0) return again(v.t.caFile, 400);
    const result = addTrustAnchorCertificate(admin, {
      body: new Uint8Array(await file.arrayBuffer()),
      qualified: values.qualified,
      actor: `console:${session.tokenId}`,
      ...(values.label === '' ? {} : { label: values.label }),
    });
    if (!result.ok) return again(`${result.error.code}: ${result.error.message}`, result.error.code === 'TRUST_ANCHOR_EXISTS' ? 409 : 422);
    anchorsChanged();
    return c.redirect('/console/trust?flash=anchor-added', 303);
  });

  app.post('/trust/:fingerprint/remove', async (c) => {
    const { session } = await postForm(c);
    requireAdmin(c);
    const fp = c.req.param('fingerprint').toLowerCase();
    if (!/^[0-9a-f]{64}$/u.test(fp)) throw new ConsoleRefusal(400, 'refused', 'bad fingerprint');
    const result = removeTrustAnchor(admin, { fingerprint: fp, actor: `console:${session.tokenId}` });
    if (!result.ok) throw new ConsoleRefusal(result.error.code === 'TRUST_ANCHOR_NOT_FOUND' ? 404 : 422, 'refused', `${result.error.code}: ${result.error.message}`);
    anchorsChanged();
    return c.redirect('/console/trust?flash=anchor-removed', 303);
  });

  // --- audit journal ---------------------------------------------------------------------------

  app.get('/audit', (c) => {
    requireAdmin(c);
    const q = c.req.query();
    const filters = { type: (q.type ?? '').trim().slice(0, 100), messageId: (q.message ?? '').trim().slice(0, 100) };
    const before = /^\d{1,15}$/u.test(q.before ?? '') ? Number(q.before) : undefined;
    const result = searchJournal(gateway.db, {
      limit: PAGE_SIZE,
      ...(filters.type === '' ? {} : { type: filters.type }),
      ...(filters.messageId === '' ? {} : { messageId: filters.messageId }),
      ...(before === undefined ? {} : { before }),
    });
    const params = new URLSearchParams(Object.entries({ type: filters.type, message: filters.messageId }).filter(([, value]) => value !== ''));
    const link = (cursor: number | undefined): string => {
      const p = new URLSearchParams(params);
      if (cursor !== undefined) p.set('before', String(cursor));
      const qs = p.toString();
      return qs === '' ? '/console/audit' : `/console/audit?${qs}`;
    };
    return c.html(
      auditPage(c.get('view'), {
        filters,
        items: result.items,
        nextHref: result.nextBefore === null ? null : link(result.nextBefore),
        firstHref: before === undefined ? null : link(undefined),
      }),
    );
  });

  // A GET: verifying reads the journal and changes nothing.
  app.get('/audit/verify', (c) => {
    requireAdmin(c);
    return c.html(auditVerifyPage(c.get('view'), verifyAuditJournal(admin)));
  });

  // --- compose ---------------------------------------------------------------------------------

  const requireSend = (c: C): ConsoleSession => {
    const s = signedIn(c);
    if (!s.roles.includes('send')) throw new ConsoleRefusal(403, 'forbidden', 'this token may not send letters');
    return s;
  };

  const candidates = (s: ConsoleSession, q: string) =>
    searchParticipants(admin, { state: 'active', limit: 5000, offset: 0, ...(q === '' ? {} : { q }) }).items.filter((p) => p.id !== s.participantId);

  const emptyCompose = (c: C, q: string, selected: readonly string[]): ComposeValues => ({
    q,
    selected,
    kind: 'letter',
    regNumber: '',
    regDate: localDate(gateway.now(), c.get('view').tz),
    subject: '',
    signatoryName: '',
    signatoryPosition: '',
    responseDue: '',
  });

  app.get('/compose', (c) => {
    const s = requireSend(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const selected = c.req.queries('to') ?? [];
    return c.html(composePage(c.get('view'), { values: emptyCompose(c, q, selected), candidates: candidates(s, q), idem: random(16).toString('hex') }));
  });

  app.post('/compose', async (c) => {
    const { session, form } = await postForm(c, deps.maxUploadBytes);
    requireSend(c);
    const v = c.get('view');
    const selected = [...form.keys()].filter((k) => k.startsWith('to.') && form.get(k) === 'on').map((k) => k.slice(3));
    const values: ComposeValues = {
      q: '',
      selected,
      kind: text(form, 'kind'),
      regNumber: text(form, 'regNumber'),
      regDate: text(form, 'regDate'),
      subject: text(form, 'subject'),
      signatoryName: text(form, 'signatoryName'),
      signatoryPosition: text(form, 'signatoryPosition'),
      responseDue: text(form, 'responseDue'),
    };
    const files = form.getAll('files').filter((f): f is Exclude<ReturnType<FormData['get']>, string | null> => typeof f !== 'string' && f.size > 0 && f.name !== '');
    const again = (error: string, status: 400 | 422) => c.html(composePage(v, { values, candidates: candidates(session, ''), error, idem: random(16).toString('hex') }), status);
    if (selected.length === 0) return again(v.t.chooseRecipient, 422);
    if (files.length === 0) return again(v.t.attachFile, 422);
    const document = envelopeDocumentSchema.safeParse({
      kind: values.kind,
      regNumber: values.regNumber,
      regDate: values.regDate,
      subject: values.subject,
      signatory: { name: values.signatoryName, position: values.signatoryPosition },
      ...(values.responseDue === '' ? {} : { responseDue: values.responseDue }),
    });
    if (!document.success) return again(describeFirstIssue(document.error), 422);
    const dir = await mkdtemp(join(gateway.tmpDir, 'console-'));
    try {
      const saved = [];
      for (const [i, f] of files.entries()) {
        const path = join(dir, `file-${i}`);
        await writeFile(path, new Uint8Array(await f.arrayBuffer()), { flag: 'wx' });
        saved.push({ path, name: f.name.normalize('NFC'), ...(f.type === '' || f.type === 'application/octet-stream' ? {} : { mediaType: f.type }) });
      }
      const idem = text(form, '_idem');
      const result = await submitLetter(gateway, {
        senderId: session.participantId,
        actor: `console:${session.tokenId}`,
        to: selected,
        document: document.data,
        files: saved,
        signatures: [],
        ...(/^[\x21-\x7e]{1,200}$/u.test(idem) ? { idempotencyKey: `console-${idem}` } : {}),
      });
      if (!result.ok) return again(`${result.error.code}: ${result.error.message}`, 422);
      const names = participantNames(gateway.db, result.value.messages.map((m) => m.to));
      return c.html(sentPage(v, { messages: result.value.messages.map((m) => ({ ...m, toName: names.get(m.to) ?? m.to })) }), 201);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // --- reports ---------------------------------------------------------------------------------

  const period = (c: C): { from: string; to: string; fromIso: string; toIso: string } => {
    const tz = c.get('view').tz;
    const today = localDate(gateway.now(), tz);
    const qFrom = c.req.query('from');
    const qTo = c.req.query('to');
    let to = dateParam.safeParse(qTo).success && qTo !== undefined ? qTo : today;
    let from = dateParam.safeParse(qFrom).success && qFrom !== undefined ? qFrom : addDays(to, -29);
    if (from > to) [from, to] = [to, from];
    // At most a year per request: the report reads only the period's rows.
    if (addDays(from, 366) < to) from = addDays(to, -366);
    const fromAt = startOfLocalDay(from, tz);
    const toAt = startOfLocalDay(addDays(to, 1), tz);
    if (fromAt === undefined || toAt === undefined) throw new ConsoleRefusal(400, 'refused', 'bad dates');
    return { from, to, fromIso: fromAt.toISOString(), toIso: toAt.toISOString() };
  };

  const delivery = (c: C) => {
    const s = signedIn(c);
    const p = period(c);
    const report = deliveryReport(gateway.db, scopeOf(s), { from: p.fromIso, to: p.toIso, offsetMs: zoneOffsetMs(gateway.now(), c.get('view').tz) });
    return { p, report };
  };

  app.get('/reports/delivery', (c) => {
    const { p, report } = delivery(c);
    const qs = new URLSearchParams({ from: p.from, to: p.to }).toString();
    return c.html(deliveryReportPage(c.get('view'), { report, from: p.from, to: p.to, csvHref: `/console/reports/delivery.csv?${qs}` }));
  });

  app.get('/reports/delivery.csv', (c) => {
    const { p, report } = delivery(c);
    return c.body(deliveryCsv(report, c.get('view').lang), 200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="delivery-${p.from}-${p.to}.csv"`,
    });
  });

  const discipline = (c: C) => {
    const s = signedIn(c);
    const today = localDate(gateway.now(), c.get('view').tz);
    return { today, report: disciplineReport(gateway.db, scopeOf(s), { today, horizon: addDays(today, 3) }) };
  };

  app.get('/reports/discipline', (c) => {
    const { today, report } = discipline(c);
    return c.html(disciplineReportPage(c.get('view'), { report, today, csvHref: '/console/reports/discipline.csv' }));
  });

  app.get('/reports/discipline.csv', (c) => {
    const { today, report } = discipline(c);
    return c.body(disciplineCsv(report, c.get('view').lang), 200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="discipline-${today}.csv"`,
    });
  });

  // The parent app's notFound answers JSON; console paths get a page in the user's language.
  app.get('*', (c) => c.html(problemPage(c.get('view'), 'not-found'), 404));

  return app;
}
