import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { appendEvent, tables } from '../db/index.ts';
import { getParticipant, issueToken, ROLES, type Role } from '../directory/index.ts';
import { fail, ok, type AdminContext, type AdminResult } from './errors.ts';

export interface TokenView {
  id: string;
  participantId: string;
  name: string;
  roles: Role[];
  createdAt: string;
  revokedAt: string | null;
}

const rolesSchema = z.array(z.enum(ROLES));
type TokenRow = typeof tables.apiTokens.$inferSelect;

function tokenView(row: TokenRow): TokenView {
  let roles: Role[] = [];
  try {
    const parsed = rolesSchema.safeParse(JSON.parse(row.rolesJson));
    if (parsed.success) roles = parsed.data;
  } catch {
    roles = [];
  }
  // Never the secret hash: it is all an attacker with the listing would need to test guesses offline.
  return { id: row.id, participantId: row.participantId, name: row.name, roles, createdAt: row.createdAt, revokedAt: row.revokedAt };
}

/** Issues a bearer token for a participant; the token is in the result once and never again. */
export function issueApiToken(
  ctx: AdminContext,
  input: { participantId: string; name: string; roles: readonly Role[]; actor: string },
): AdminResult<{ token: string; tokenInfo: TokenView }> {
  const now = ctx.now();
  return ctx.db.transaction((tx): AdminResult<{ token: string; tokenInfo: TokenView }> => {
    if (getParticipant(tx, input.participantId) === undefined) return fail('PARTICIPANT_NOT_FOUND', `no participant ${input.participantId}`);
    const { token, tokenId } = issueToken(tx, { participantId: input.participantId, name: input.name, roles: input.roles, now, actor: input.actor });
    const row = tx.select().from(tables.apiTokens).where(eq(tables.apiTokens.id, tokenId)).get();
    if (row === undefined) throw new Error('token vanished inside its own transaction');
    return ok({ token, tokenInfo: tokenView(row) });
  });
}

/** Tokens, optionally of one participant (metadata only). */
export function listApiTokens(ctx: AdminContext, input: { participantId?: string }): TokenView[] {
  const t = tables.apiTokens;
  const q = ctx.db.select().from(t);
  const rows = (input.participantId === undefined ? q : q.where(eq(t.participantId, input.participantId))).orderBy(asc(t.createdAt), asc(t.id)).all();
  return rows.map(tokenView);
}

/** Revokes a token: it stops authenticating at once. */
export function revokeApiToken(ctx: AdminContext, input: { tokenId: string; actor: string }): AdminResult<TokenView> {
  const at = ctx.now().toISOString();
  const t = tables.apiTokens;
  return ctx.db.transaction((tx): AdminResult<TokenView> => {
    const changed = tx.update(t).set({ revokedAt: at }).where(and(eq(t.id, input.tokenId), isNull(t.revokedAt))).run().changes;
    const row = tx.select().from(t).where(eq(t.id, input.tokenId)).get();
    if (row === undefined) return fail('TOKEN_NOT_FOUND', `no token ${input.tokenId}`);
    if (changed !== 1) return fail('STATE_CONFLICT', `token ${input.tokenId} is already revoked`);
    appendEvent(tx, { at, type: 'token.revoked', actor: input.actor, messageId: null, fromState: null, toState: null, detail: { tokenId: row.id, participantId: row.participantId, name: row.name } });
    return ok(tokenView(row));
  });
}
