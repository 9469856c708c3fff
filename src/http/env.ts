import type { Principal } from '../directory/index.ts';

/** Hono context variables set by the middlewares. */
export type AppEnv = { Variables: { requestId: string; principal: Principal } };
