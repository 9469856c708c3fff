import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendEvent, tables, type Db } from '../db/index.ts';

export const ROLES = ['send', 'receive', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const TOKEN_FORMAT = /^edx_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/u;
const rolesSchema = z.array(z.enum(ROLES));

export interface Principal {
  tokenId: string;
  participantId: string;
  roles: readonly Role[];
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Issues a bearer token `edx_<16 hex id>_<43 base64url secret>` (256-bit secret). Only the
 * secret's SHA-256 is stored; the token is returned once. Call inside a transaction with the
 * audit row (the journal names the token id, never the secret).
 */
export function issueToken(db: Db, input: { participantId: string; name: string; roles: readonly Role[]; now: Date; actor: string }): { token: string; tokenId: string } {
  const tokenId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  db.insert(tables.apiTokens)
    .values({
      id: tokenId,
      participantId: input.participantId,
      name: input.name,
      rolesJson: JSON.stringify([...new Set(input.roles)].sort()),
      secretHash: hashSecret(secret),
      createdAt: input.now.toISOString(),
      revokedAt: null,
    })
    .run();
  appendEvent(db, {
    at: input.now.toISOString(),
    type: 'token.issued',
    actor: input.actor,
    messageId: null,
    fromState: null,
    toState: null,
    detail: { tokenId, participantId: input.participantId, roles: input.roles, name: input.name },
  });
  return { token: `edx_${tokenId}_${secret}`, tokenId };
}

// Every API request authenticates: the statement is prepared once per database, not per request.
const lookups = new WeakMap<Db, ReturnType<typeof prepareLookup>>();
function prepareLookup(db: Db) {
  return db
    .select({ t: tables.apiTokens, state: tables.participants.state })
    .from(tables.apiTokens)
    .innerJoin(tables.participants, eq(tables.participants.id, tables.apiTokens.participantId))
    .where(and(eq(tables.apiTokens.id, sql.placeholder('id')), isNull(tables.apiTokens.revokedAt)))
    .prepare();
}
function tokenLookup(db: Db): ReturnType<typeof prepareLookup> {
  let p = lookups.get(db);
  if (p === undefined) {
    p = prepareLookup(db);
    lookups.set(db, p);
  }
  return p;
}

/**
 * Resolves a bearer token to its principal, or undefined. The lookup is by id and the secret is
 * compared in constant time, so neither timing nor a database index leaks the secret. Tokens of
 * suspended participants do not authenticate.
 */
export function authenticateToken(db: Db, token: string): Principal | undefined {
  const m = TOKEN_FORMAT.exec(token);
  if (m === null) return undefined;
  const [, tokenId = '', secret = ''] = m;
  const row = tokenLookup(db).get({ id: tokenId });
  if (row === undefined || row.state !== 'active') return undefined;
  const expected = Buffer.from(row.t.secretHash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const roles = rolesSchema.safeParse(JSON.parse(row.t.rolesJson));
  if (!roles.success) return undefined;
  return { tokenId, participantId: row.t.participantId, roles: roles.data };
}
