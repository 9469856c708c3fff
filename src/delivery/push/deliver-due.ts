import { Readable } from 'node:stream';
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { tables, type Db } from '../../db/index.ts';
import type { GatewayContext } from '../context.ts';
import { markDelivered } from '../mark-delivered.ts';
import type { MessageRow } from '../inbox.ts';
import { UNDELIVERED_STATES } from '../state-machine.ts';
import { transitionMessage } from '../transition.ts';
import { nextAttemptDelayMs } from './retry-policy.ts';

export interface DeliverDueOptions {
  fetch: typeof fetch;
  /** Uniform source in [0, 1) for the retry jitter. */
  random: () => number;
  /** Whole-request budget of one push (connect, upload, response headers). */
  timeoutMs: number;
  /** Pushes in flight at once. */
  maxParallel: number;
  /** Due messages taken per call. */
  limit: number;
  /**
   * Accept `http://127.0.0.1`, `http://[::1]` and `http://localhost` endpoints (tests and
   * development only). Everything else must be https.
   */
  allowInsecureLoopback?: boolean;
}

export interface DeliverDueResult {
  attempted: number;
  delivered: number;
  retrying: number;
}

type Outcome = 'delivered' | 'retrying' | 'lost';
type Attempt = { ok: true; status: number } | { ok: false; status?: number; error?: string };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_ERROR_TEXT = 160;

/**
 * The push worker (SPEC §5, issue 3): POSTs every due letter of a push participant to its
 * registered endpoint. Each message is first CLAIMED — `next_attempt_at` moved to a lease in the
 * future and `attempts` incremented, conditional on the values just read — so that two workers or
 * two gateway instances on one database never push the same message at the same time (the loser
 * of the race sees 0 changed rows and skips it). A 2xx answer moves the message to `delivered`
 * with the gateway's `delivered` evidence; anything else (non-2xx, network error, timeout, refused
 * endpoint) journals `message.push-failed` and schedules the next attempt with backoff and jitter.
 *
 * The request carries `Idempotency-Key: <message id>` (draft-ietf-httpapi-idempotency-key-header)
 * so a receiver can drop the duplicate of a push whose 2xx answer was lost. Redirects are not
 * followed: the letter goes to the registered endpoint and nowhere else.
 */
export async function deliverDueMessages(ctx: GatewayContext, options: DeliverDueOptions): Promise<DeliverDueResult> {
  const now = ctx.now().toISOString();
  const due = dueMessagesQuery(ctx.db, now, options.limit).all();

  const result: DeliverDueResult = { attempted: 0, delivered: 0, retrying: 0 };
  const errors: unknown[] = [];
  const queue = [...due];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        const outcome = await deliverOne(ctx, options, item.message, item.endpoint);
        if (outcome === undefined) continue;
        result.attempted += 1;
        if (outcome === 'delivered') result.delivered += 1;
        else if (outcome === 'retrying') result.retrying += 1;
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.maxParallel), queue.length) }, worker));
  if (errors.length > 0) throw new AggregateError(errors, `push delivery: ${errors.length} message(s) failed unexpectedly`);
  return result;
}

/**
 * Due push letters, oldest first: undelivered, next attempt reached, not yet expired, recipient
 * in push mode. Driven by the messages_due index (state, next_attempt_at); exported for the
 * query-plan test.
 */
export function dueMessagesQuery(db: Db, now: string, limit: number) {
  const m = tables.messages;
  return db
    .select({ message: m, endpoint: tables.participants.pushEndpoint })
    .from(m)
    .innerJoin(tables.participants, eq(tables.participants.id, m.recipientId))
    .where(
      and(
        // (state, next_attempt_at) is the messages_due index; pull letters have no next attempt.
        inArray(m.state, [...UNDELIVERED_STATES]),
        lte(m.nextAttemptAt, now),
        // An expired letter is for expireMessages to fail, not for one more push.
        // Unary + keeps the planner on messages_due (state, next_attempt_at): due rows are few,
        // unexpired ones are nearly all.
        sql`+${m.expiresAt} > ${now}`,
        eq(tables.participants.deliveryMode, 'push'),
      ),
    )
    .orderBy(asc(m.nextAttemptAt))
    .limit(Math.max(0, limit));
}

/** One claimed push attempt; undefined when another worker holds the message. */
async function deliverOne(ctx: GatewayContext, options: DeliverDueOptions, row: MessageRow, endpoint: string | null): Promise<Outcome | undefined> {
  const claimedAt = ctx.now();
  // The lease outlives the request budget with room for the evidence signature after a 2xx;
  // if this process dies mid-attempt, the message becomes due again when the lease runs out.
  const lease = new Date(claimedAt.getTime() + 2 * options.timeoutMs).toISOString();
  const claimed = ctx.db.transaction((tx) => {
    if (row.nextAttemptAt === null) return false;
    const r = tx
      .update(tables.messages)
      .set({ nextAttemptAt: lease, attempts: row.attempts + 1, updatedAt: claimedAt.toISOString() })
      .where(and(eq(tables.messages.id, row.id), eq(tables.messages.state, row.state), eq(tables.messages.nextAttemptAt, row.nextAttemptAt), eq(tables.messages.attempts, row.attempts)))
      .run();
    return r.changes === 1;
  });
  if (!claimed) return undefined;
  const attempt = row.attempts + 1;

  const target = checkEndpoint(endpoint, options.allowInsecureLoopback === true);
  const outcome: Attempt = target.ok ? await push(ctx, options, row, target.url) : { ok: false, error: target.error };
  const at = ctx.now();

  if (outcome.ok) {
    const moved = await markDelivered(ctx, {
      messageId: row.id,
      envelopeDigest: row.envelopeDigest,
      from: row.state,
      actor: 'gateway',
      detail: { how: 'pushed', attempt, status: outcome.status },
    });
    return moved !== null ? 'delivered' : 'lost';
  }

  const nextAttemptAt = new Date(at.getTime() + nextAttemptDelayMs(attempt, options.random)).toISOString();
  const moved = ctx.db.transaction((tx) =>
    transitionMessage(tx, {
      messageId: row.id,
      from: row.state,
      to: 'retrying',
      at,
      actor: 'gateway',
      type: 'message.push-failed',
      detail: {
        attempt,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        nextAttemptAt,
      },
      set: { nextAttemptAt },
    }),
  );
  return moved ? 'retrying' : 'lost';
}

/**
 * Only https (RFC 9110 §4.2.2) protects a signed letter in transit; plain http is tolerated for
 * loopback receivers when explicitly allowed. Credentials embedded in the URL are refused: they
 * would end up in logs and in the timeline of whoever reads it.
 */
export function checkEndpoint(endpoint: string | null, allowInsecureLoopback: boolean): { ok: true; url: URL } | { ok: false; error: string } {
  if (endpoint === null || endpoint === '') return { ok: false, error: 'ENDPOINT_MISSING: the participant has no push endpoint registered' };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, error: 'ENDPOINT_INVALID: the registered push endpoint is not a URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, error: 'ENDPOINT_REFUSED: credentials in the endpoint URL are not allowed' };
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return allowInsecureLoopback ? { ok: true, url } : { ok: false, error: 'ENDPOINT_REFUSED: plain http to a loopback endpoint is allowed only in development (allowInsecureLoopback)' };
  }
  return { ok: false, error: `ENDPOINT_REFUSED: scheme ${url.protocol} is not allowed for push delivery; https is required` };
}

async function push(ctx: GatewayContext, options: DeliverDueOptions, row: MessageRow, url: URL): Promise<Attempt> {
  if ((await ctx.blobs.pathOf(row.containerBlob)) === undefined) return { ok: false, error: 'CONTAINER_MISSING: the stored container is unreadable' };
  const source = ctx.blobs.readStream(row.containerBlob) as Readable;
  try {
    const response = await options.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/zip',
        'content-length': String(row.containerSize),
        'x-edx-message-id': row.id,
        'x-edx-envelope-digest': row.envelopeDigest,
        'idempotency-key': row.id,
      },
      body: Readable.toWeb(source) as ReadableStream<Uint8Array>,
      duplex: 'half',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The receiver's body is of no use to us: cancel it rather than buffer whatever it sends.
    await response.body?.cancel().catch(() => undefined);
    return response.status >= 200 && response.status < 300 ? { ok: true, status: response.status } : { ok: false, status: response.status };
  } catch (error) {
    return { ok: false, error: describeFailure(error, options.timeoutMs) };
  } finally {
    source.destroy();
  }
}

/** A short, secret-free reason: the error class or system code, never a stack or a URL. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `TIMEOUT: no answer within ${timeoutMs} ms`;
    const cause = (error as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    if (code !== undefined) return `NETWORK: ${code}`.slice(0, MAX_ERROR_TEXT);
    return `NETWORK: ${error.name}`.slice(0, MAX_ERROR_TEXT);
  }
  return 'NETWORK: unknown failure';
}
