import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/index.ts';
import { authenticateToken, type Role } from '../directory/index.ts';
import { AppError } from './app-error.ts';
import type { AppEnv } from './env.ts';

/**
 * Bearer-token authentication and role check (issue 3: tokens bound to one participant and to
 * roles). Missing or unknown token: 401; known token without the role: 403.
 */
export function requireRole(db: Db, role: Role): MiddlewareHandler<AppEnv> {
  return requireAnyRole(db, [role]);
}

/** Any of the roles (e.g. reading a message is allowed to its sender and its recipient). */
export function requireAnyRole(db: Db, roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/iu.exec(header);
    const principal = m?.[1] === undefined ? undefined : authenticateToken(db, m[1]);
    if (principal === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="edx-gateway"');
      throw new AppError('UNAUTHENTICATED', 'a valid bearer token is required');
    }
    if (!roles.some((r) => principal.roles.includes(r))) throw new AppError('FORBIDDEN', `this token lacks any of the roles ${roles.join(', ')}`);
    c.set('principal', principal);
    await next();
  };
}
