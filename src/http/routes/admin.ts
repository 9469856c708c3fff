import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  addTrustAnchorCertificate,
  createParticipant,
  DEFAULT_IMPORT_LIMITS,
  exportParticipants,
  getParticipantView,
  importParticipants,
  issueApiToken,
  listApiTokens,
  listExpiringCertificates,
  listJournal,
  listParticipantCertificates,
  listTrustAnchorViews,
  normaliseFingerprint,
  removeTrustAnchor,
  revokeApiToken,
  revokeCertificate,
  searchParticipants,
  setParticipantState,
  updateParticipant,
  uploadCertificates,
  verifyAuditJournal,
  type AdminContext,
  type AdminError,
  type FieldError,
  type RawRecord,
} from '../../admin/index.ts';
import { DEFAULT_TRUSTED_LIST_MAX_BYTES, importTrustedList, type TrustedListImportError } from '../../admin/import-trusted-list.ts';
import type { GatewayContext } from '../../delivery/index.ts';
import { CATEGORY_CODES, ROLES } from '../../directory/index.ts';
import { describeFirstIssue } from '../../envelope/index.ts';
import { AppError } from '../app-error.ts';
import { requireRole } from '../auth.ts';
import type { AppEnv } from '../env.ts';

export interface AdminRouteDeps {
  gateway: GatewayContext;
  /** Called after a trust anchor was added or removed, so cached anchors are reloaded. */
  onTrustAnchorsChanged: () => void;
}

const JSON_LIMIT = 64 * 1024;
const CERTIFICATE_LIMIT = 1024 * 1024;

function fromAdminError(error: AdminError): AppError {
  return new AppError(error.code, error.message, error.details);
}

/** Reads a request body into memory, refusing it as soon as it passes `limit` bytes. */
async function readBody(c: Context<AppEnv>, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw new AppError('PAYLOAD_TOO_LARGE', `the limit is ${limit} bytes`);
  const body = c.req.raw.body;
  if (body === null) throw new AppError('BAD_REQUEST', 'empty body');
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) throw new AppError('PAYLOAD_TOO_LARGE', `the limit is ${limit} bytes`);
    chunks.push(chunk);
  }
  if (total === 0) throw new AppError('BAD_REQUEST', 'empty body');
  return Buffer.concat(chunks);
}

/** The body as JSON (application/json, UTF-8, at most JSON_LIMIT bytes), before any schema. */
async function readJsonValue(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/u.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send a JSON body (application/json)');
  const body = await readBody(c, JSON_LIMIT);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as unknown;
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not UTF-8 JSON');
  }
}

async function readJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S, optional = false): Promise<z.infer<S>> {
  if (optional && c.req.raw.body === null) return schema.parse({});
  const json = await readJsonValue(c);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError('BAD_REQUEST', describeFirstIssue(parsed.error));
  return parsed.data;
}

function query<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new AppError('BAD_REQUEST', describeFirstIssue(parsed.error));
  return parsed.data;
}

function fingerprintParam(c: Context<AppEnv>): string {
  const fp = normaliseFingerprint(c.req.param('fingerprint') ?? '');
  if (fp === undefined) throw new AppError('BAD_REQUEST', 'the fingerprint is the SHA-256 of the certificate, 64 hex digits');
  return fp;
}

const text = z.string().max(10_000);
const nullableText = text.nullable().optional();
const signatoryBody = z.object({ surname: text, givenName: text, position: text, snils: text }).strict();

/** A participant in JSON: types only; the field rules (check digits, formats) are the domain's, reported per field. */
const participantBody = z
  .object({
    id: text.optional(),
    kind: text.optional(),
    category: text.optional(),
    name: text.optional(),
    shortName: nullableText,
    inn: text.optional(),
    ogrn: text.optional(),
    kpp: nullableText,
    parentId: nullableText,
    region: nullableText,
    address: nullableText,
    email: nullableText,
    phone: nullableText,
    deliveryMode: text.optional(),
    pushEndpoint: nullableText,
    state: text.optional(),
    signatory: signatoryBody.nullable().optional(),
  })
  .strict();
type ParticipantBody = z.infer<typeof participantBody>;

async function readParticipantBody(c: Context<AppEnv>): Promise<RawRecord> {
  const json = await readJsonValue(c);
  const parsed = participantBody.safeParse(json);
  if (!parsed.success) {
    const errors: FieldError[] = parsed.error.issues.map((i) => ({
      field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.join('.') || '(body)',
      code: i.code === 'unrecognized_keys' ? 'UNKNOWN_FIELD' : 'INVALID_TYPE',
      message: i.message,
    }));
    throw new AppError('PARTICIPANT_INVALID', 'the participant has invalid fields', errors);
  }
  return flatten(parsed.data);
}

/** JSON (nested signatory, null = clear) to the flat record: a missing key stays missing, so PATCH changes only what it names. */
function flatten(body: ParticipantBody): RawRecord {
  const raw: RawRecord = {};
  const { signatory, ...rest } = body;
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) raw[key as keyof RawRecord] = value ?? '';
  }
  if (signatory === null) {
    Object.assign(raw, { signatorySurname: '', signatoryGivenName: '', signatoryPosition: '', signatorySnils: '' });
  } else if (signatory !== undefined) {
    Object.assign(raw, { signatorySurname: signatory.surname, signatoryGivenName: signatory.givenName, signatoryPosition: signatory.position, signatorySnils: signatory.snils });
  }
  return raw;
}

const listQuery = z
  .object({
    q: z.string().max(200).optional(),
    category: z.enum(CATEGORY_CODES).optional(),
    kind: z.enum(['government', 'enterprise']).optional(),
    state: z.enum(['active', 'suspended']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
const exportQuery = z.object({ format: z.enum(['csv', 'xml']).default('csv') }).strict();
const reasonBody = z.object({ reason: z.string().min(1).max(2000).optional() }).strict();
const expiringQuery = z.object({ days: z.coerce.number().int().min(1).max(3650).default(30) }).strict();
const anchorQuery = z
  .object({
    qualified: z.enum(['true', 'false']).default('false'),
    label: z.string().min(1).max(200).optional(),
  })
  .strict();
const trustedListQuery = z
  .object({
    signer: z.array(z.string().max(200)).min(1, 'give the SHA-256 fingerprint of the certificate allowed to sign the list as ?signer=').max(20),
    allowExpired: z.enum(['true', 'false']).optional(),
    includeNonQualified: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** The list's own code travels in `details.code`; the HTTP code says what kind of refusal it is. */
function fromTrustedListError(error: TrustedListImportError): AppError {
  const details = { code: error.code };
  if (error.code === 'XML_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', error.message, details);
  if (error.code.startsWith('XML_')) return new AppError('IMPORT_UNREADABLE', error.message, details);
  if (error.code === 'TL_ROLLBACK') return new AppError('STATE_CONFLICT', error.message, details);
  return new AppError('IMPORT_INVALID', error.message, details);
}

const tokenBody = z
  .object({
    participantId: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  })
  .strict();
const tokenQuery = z.object({ participantId: z.string().min(1).max(100).optional() }).strict();
const auditQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    messageId: z.string().min(1).max(100).optional(),
    type: z.string().min(1).max(100).optional(),
  })
  .strict();

function withoutUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * The administration API (issue 6, role `admin`): the participant directory with search, import
 * and export; certificates; trust anchors; API tokens; the audit journal. Every change is made by
 * a domain use-case that writes its journal row in the same transaction.
 */
export function adminRoutes(deps: AdminRouteDeps): Hono<AppEnv> {
  const { gateway } = deps;
  const ctx: AdminContext = { db: gateway.db, now: gateway.now };
  const app = new Hono<AppEnv>();
  app.use('/admin/*', requireRole(gateway.db, 'admin'));
  const actor = (c: Context<AppEnv>): string => `token:${c.get('principal').tokenId}`;

  app.get('/admin/participants', (c) => c.json(searchParticipants(ctx, withoutUndefined(query(c, listQuery)))));

  app.get('/admin/participants/export', (c) => {
    const out = exportParticipants(ctx, query(c, exportQuery));
    return c.body(out.body, 200, { 'content-type': out.mediaType, 'content-disposition': `attachment; filename="${out.fileName}"` });
  });

  app.post('/admin/participants/import', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const format = /^text\/csv\b/u.test(type) ? 'csv' : /^(application|text)\/xml\b/u.test(type) ? 'xml' : undefined;
    if (format === undefined) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send text/csv or application/xml');
    const body = await readBody(c, DEFAULT_IMPORT_LIMITS.maxBytes);
    const result = importParticipants(ctx, { format, body, actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value);
  });

  app.post('/admin/participants', async (c) => {
    const result = createParticipant(ctx, { record: await readParticipantBody(c), actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value, 201);
  });

  app.get('/admin/participants/:id', (c) => {
    const result = getParticipantView(ctx, { id: c.req.param('id') });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value);
  });

  app.patch('/admin/participants/:id', async (c) => {
    const result = updateParticipant(ctx, { id: c.req.param('id'), changes: await readParticipantBody(c), actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value);
  });

  for (const [verb, state] of [
    ['suspend', 'suspended'],
    ['reactivate', 'active'],
  ] as const) {
    app.post(`/admin/participants/:id/${verb}`, async (c) => {
      const { reason } = await readJson(c, reasonBody, true);
      const principal = c.get('principal');
      const result = setParticipantState(ctx, {
        id: c.req.param('id'),
        state,
        actor: actor(c),
        actorParticipantId: principal.participantId,
        ...(reason === undefined ? {} : { reason }),
      });
      if (!result.ok) throw fromAdminError(result.error);
      return c.json(result.value);
    });
  }

  app.get('/admin/participants/:id/certificates', (c) => {
    const result = listParticipantCertificates(ctx, { participantId: c.req.param('id') });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json({ items: result.value });
  });

  app.post('/admin/participants/:id/certificates', async (c) => {
    const body = await readBody(c, CERTIFICATE_LIMIT);
    const result = uploadCertificates(ctx, { participantId: c.req.param('id'), body, actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value, result.value.certificates.some((x) => x.created) ? 201 : 200);
  });

  app.get('/admin/certificates/expiring', (c) => c.json({ items: listExpiringCertificates(ctx, query(c, expiringQuery)) }));

  app.post('/admin/certificates/:fingerprint/revoke', async (c) => {
    const fingerprint = fingerprintParam(c);
    const { reason } = await readJson(c, reasonBody, true);
    const result = revokeCertificate(ctx, { fingerprint, actor: actor(c), ...(reason === undefined ? {} : { reason }) });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value);
  });

  app.get('/admin/trust-anchors', (c) => c.json({ items: listTrustAnchorViews(ctx) }));

  app.post('/admin/trust-anchors', async (c) => {
    const q = query(c, anchorQuery);
    const body = await readBody(c, CERTIFICATE_LIMIT);
    const result = addTrustAnchorCertificate(ctx, { body, qualified: q.qualified === 'true', actor: actor(c), ...(q.label === undefined ? {} : { label: q.label }) });
    if (!result.ok) throw fromAdminError(result.error);
    deps.onTrustAnchorsChanged();
    return c.json(result.value, 201);
  });

  /**
   * Imports an ETSI TS 119 612 trusted list (body: the XML as published, application/xml). The
   * signer is pinned per request with one or more `signer` query parameters, each the SHA-256
   * fingerprint of a certificate allowed to sign the list: no configuration to keep in step, and
   * no extra power for the caller, since an admin may add qualified anchors directly anyway.
   * `allowExpired=true` accepts a list past its NextUpdate; `includeNonQualified=true` also
   * imports other granted CA services as non-qualified anchors. The list-specific failure code
   * (XMLDSIG_*, TL_*, XML_*) is in `details.code`.
   */
  app.post('/admin/trust-anchors/trusted-list', async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^(application|text)\/xml\b/u.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the trusted list as application/xml');
    const q = trustedListQuery.safeParse({ ...c.req.query(), signer: c.req.queries('signer') ?? [] });
    if (!q.success) throw new AppError('BAD_REQUEST', describeFirstIssue(q.error));
    const signers = q.data.signer.map((f) => normaliseFingerprint(f));
    if (signers.some((f) => f === undefined)) throw new AppError('BAD_REQUEST', 'each signer is the SHA-256 fingerprint of a certificate, 64 hex digits');
    const xml = await readBody(c, DEFAULT_TRUSTED_LIST_MAX_BYTES);
    const result = importTrustedList(ctx, {
      xml,
      pinnedSignerFingerprints: signers.filter((f): f is string => f !== undefined),
      allowExpired: q.data.allowExpired === 'true',
      includeNonQualified: q.data.includeNonQualified === 'true',
      actor: actor(c),
    });
    if (!result.ok) throw fromTrustedListError(result.error);
    deps.onTrustAnchorsChanged();
    return c.json(result.value, result.value.added.length + result.value.requalified.length > 0 ? 201 : 200);
  });

  app.delete('/admin/trust-anchors/:fingerprint', (c) => {
    const result = removeTrustAnchor(ctx, { fingerprint: fingerprintParam(c), actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    deps.onTrustAnchorsChanged();
    return c.json(result.value);
  });

  app.post('/admin/tokens', async (c) => {
    const body = await readJson(c, tokenBody);
    const result = issueApiToken(ctx, { ...body, actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    // The token is shown once; make sure no cache keeps it.
    c.header('Cache-Control', 'no-store');
    return c.json({ token: result.value.token, ...result.value.tokenInfo }, 201);
  });

  app.get('/admin/tokens', (c) => c.json({ items: listApiTokens(ctx, withoutUndefined(query(c, tokenQuery))) }));

  app.post('/admin/tokens/:id/revoke', (c) => {
    const result = revokeApiToken(ctx, { tokenId: c.req.param('id'), actor: actor(c) });
    if (!result.ok) throw fromAdminError(result.error);
    return c.json(result.value);
  });

  app.get('/admin/audit', (c) => c.json(listJournal(ctx, withoutUndefined(query(c, auditQuery)))));

  app.get('/admin/audit/verify', (c) => c.json(verifyAuditJournal(ctx)));

  return app;
}
