import { createHash, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import { tables, type Db } from '../db/index.ts';
import { authenticateToken, ROLES, type Role } from '../directory/index.ts';
import { DEFAULT_LANG, DEFAULT_TIME_ZONE, type Lang } from './i18n.ts';

/** Absolute session lifetime: a working day. */
export const SESSION_TTL_MS = 8 * 3_600_000;

export interface ConsoleSession {
  idHash: string;
  tokenId: string;
  participantId: string;
  participantName: string;
  roles: readonly Role[];
  csrfToken: string;
  lang: Lang;
  timeZone: string;
  expiresAt: string;
}

const rolesSchema = z.array(z.enum(ROLES));

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Opens a session for an API token (admin or participant). The session id (256 random bits) is
 * returned once for the cookie; only its SHA-256 is stored. Undefined when the token does not
 * authenticate (unknown, revoked, participant suspended).
 */
export function openSession(
  db: Db,
  input: { token: string; now: Date; random: (bytes: number) => Buffer; lang?: Lang; timeZone?: string },
): { id: string; session: ConsoleSession } | undefined {
  const principal = authenticateToken(db, input.token);
  if (principal === undefined) return undefined;
  const id = input.random(32).toString('base64url');
  const csrfToken = input.random(32).toString('base64url');
  const expiresAt = new Date(input.now.getTime() + SESSION_TTL_MS).toISOString();
  const s = tables.consoleSessions;
  // Expired sessions are swept when someone signs in: no timer, and the table stays small.
  db.delete(s).where(lte(s.expiresAt, input.now.toISOString())).run();
  db.insert(s)
    .values({
      idHash: hashId(id),
      tokenId: principal.tokenId,
      participantId: principal.participantId,
      csrfToken,
      lang: input.lang ?? DEFAULT_LANG,
      timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
      createdAt: input.now.toISOString(),
      expiresAt,
    })
    .run();
  const session = findSession(db, id, input.now);
  if (session === undefined) throw new Error('a session vanished right after it was written');
  return { id, session };
}

/**
 * The live session for a cookie value: not expired, its token not revoked, its participant
 * active. Roles are read from the token on every request, so a change takes effect at once.
 */
export function findSession(db: Db, id: string, now: Date): ConsoleSession | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/u.test(id)) return undefined;
  const s = tables.consoleSessions;
  const t = tables.apiTokens;
  const p = tables.participants;
  const row = db
    .select({ s, roles: t.rolesJson, name: p.name, state: p.state })
    .from(s)
    .innerJoin(t, and(eq(t.id, s.tokenId), isNull(t.revokedAt)))
    .innerJoin(p, eq(p.id, s.participantId))
    .where(and(eq(s.idHash, hashId(id)), gt(s.expiresAt, now.toISOString())))
    .get();
  if (row === undefined || row.state !== 'active') return undefined;
  const roles = rolesSchema.safeParse(JSON.parse(row.roles));
  if (!roles.success) return undefined;
  return {
    idHash: row.s.idHash,
    tokenId: row.s.tokenId,
    participantId: row.s.participantId,
    participantName: row.name,
    roles: roles.data,
    csrfToken: row.s.csrfToken,
    lang: row.s.lang,
    timeZone: row.s.timeZone,
    expiresAt: row.s.expiresAt,
  };
}

/** Ends a session (logout). */
export function closeSession(db: Db, idHash: string): void {
  db.delete(tables.consoleSessions).where(eq(tables.consoleSessions.idHash, idHash)).run();
}

/** Stores the interface language and time zone of a session. */
export function setSessionPreferences(db: Db, idHash: string, prefs: { lang: Lang; timeZone: string }): void {
  db.update(tables.consoleSessions).set({ lang: prefs.lang, timeZone: prefs.timeZone }).where(eq(tables.consoleSessions.idHash, idHash)).run();
}

/** Constant-time comparison of a submitted CSRF token with the session's (OWASP synchronizer token pattern). */
export function csrfMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a state-changing request comes from our own pages (Fetch Metadata and the Origin
 * header, both sent by current browsers): a cross-site `Sec-Fetch-Site` or a foreign `Origin`
 * is refused; absent headers (old clients, tests) fall back to the CSRF token alone.
 */
export function sameOriginRequest(input: { url: string; origin: string | undefined; secFetchSite: string | undefined }): boolean {
  if (input.secFetchSite !== undefined && input.secFetchSite !== 'same-origin' && input.secFetchSite !== 'none') return false;
  if (input.origin !== undefined) {
    if (input.origin === 'null') return false;
    try {
      return new URL(input.origin).origin === new URL(input.url).origin;
    } catch {
      return false;
    }
  }
  return true;
}
