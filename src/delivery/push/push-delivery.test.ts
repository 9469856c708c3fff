import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tables } from '../../db/index.ts';
import { loadDirectoryFixture, type DirectoryFixture } from '../../directory/index.ts';
import { verifyContainer } from '../../letters/index.ts';
import { openGateway, type Gateway } from '../../open-gateway.ts';
import { submitLetter } from '../submit-letter.ts';
import { deliverDueMessages, dueMessagesQuery, type DeliverDueOptions } from './deliver-due.ts';
import { expireMessages } from './expire-messages.ts';
import { startScheduler } from './scheduler.ts';

const TTL_MS = 72 * 3_600_000;
const SENDER = 'demo-supplier';
const KEEP = ['gov-government', 'gov-governor-admin', 'demo-supplier', 'demo-oil-group', 'demo-chemicals', 'gov-minfin', 'gov-minobr', 'gov-mineconomy', 'gov-minprom'];

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A loopback receiver whose answer to each POST the test decides. */
interface Receiver {
  port: number;
  seen: Seen[];
  handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    port: 0,
    seen: [],
    handle: (_req, res) => {
      res.writeHead(200).end();
    },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      receiver.seen.push(seen);
      receiver.handle(req, res, seen);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function smallDirectory(endpoints: Record<string, string>): Promise<DirectoryFixture> {
  const full = await loadDirectoryFixture();
  if (!full.ok) throw new Error(full.error.message);
  const keep = new Set(KEEP);
  const participants = full.value.participants
    .filter((p) => keep.has(p.id))
    .map((p) => {
      const endpoint = endpoints[p.id];
      return {
        ...p,
        parentId: p.parentId !== null && keep.has(p.parentId) ? p.parentId : null,
        // The fixture schema insists on https; the seed takes the object as given, which lets the
        // tests point a participant at a loopback receiver.
        delivery: endpoint === undefined ? ({ mode: 'pull' } as const) : ({ mode: 'push', endpoint } as const),
      };
    });
  return { ...full.value, participants };
}

interface World {
  gw: Gateway;
  dir: string;
  clock: { now: Date };
  receiver: Receiver;
  unreachable: number;
}

async function openWorld(): Promise<World> {
  const receiver = await startReceiver();
  const unreachable = await closedPort();
  const dir = await mkdtemp(join(tmpdir(), 'edx-push-'));
  const clock = { now: new Date() };
  const base = `http://127.0.0.1:${receiver.port}`;
  const gw = await openGateway({
    dataDir: join(dir, 'data'),
    revocation: 'skip',
    maxUploadBytes: 16 * 1024 * 1024,
    messageTtlMs: TTL_MS,
    now: () => clock.now,
    newId: () => randomUUID(),
    directory: await smallDirectory({
      'gov-minfin': `${base}/inbox/minfin`,
      'gov-minobr': `http://127.0.0.1:${unreachable}/inbox`,
      'gov-mineconomy': 'http://192.0.2.10/inbox',
      'demo-oil-group': `${base}/inbox/oil`,
    }),
  });
  return { gw, dir, clock, receiver, unreachable };
}

async function closeWorld(w: World): Promise<void> {
  w.gw.close();
  await w.receiver.close();
  await rm(w.dir, { recursive: true, force: true });
}

async function send(w: World, to: string, subject = 'О поставке'): Promise<string> {
  const file = join(w.dir, `${randomUUID()}.txt`);
  await writeFile(file, `Письмо: ${subject}\n`);
  const out = await submitLetter(w.gw.ctx, {
    senderId: SENDER,
    actor: SENDER,
    to: [to],
    document: { kind: 'letter', regNumber: `S-${randomUUID().slice(0, 8)}`, regDate: w.clock.now.toISOString().slice(0, 10), subject, signatory: { name: 'Кузнецова М. О.', position: 'Директор' } },
    files: [{ path: file, name: 'letter.txt' }],
    signatures: [],
  });
  if (!out.ok) throw new Error(`${out.error.code}: ${out.error.message}`);
  const first = out.value.messages[0];
  if (first === undefined) throw new Error('no message');
  return first.id;
}

function message(w: World, id: string): typeof tables.messages.$inferSelect {
  const row = w.gw.ctx.db.select().from(tables.messages).where(eq(tables.messages.id, id)).get();
  if (row === undefined) throw new Error(`no message ${id}`);
  return row;
}

function timeline(w: World, id: string): { type: string; from: string | null; to: string | null; detail: Record<string, unknown> }[] {
  return w.gw.ctx.db
    .select()
    .from(tables.events)
    .where(eq(tables.events.messageId, id))
    .orderBy(tables.events.seq)
    .all()
    .map((e) => ({ type: e.type, from: e.fromState, to: e.toState, detail: JSON.parse(e.detailJson) as Record<string, unknown> }));
}

function receiptsOf(w: World, id: string): (typeof tables.receipts.$inferSelect)[] {
  return w.gw.ctx.db.select().from(tables.receipts).where(eq(tables.receipts.messageId, id)).all();
}

async function verifyEvidence(w: World, blob: string): Promise<{ kind: string; passed: boolean; reason: unknown }> {
  const path = await w.gw.ctx.blobs.pathOf(blob);
  if (path === undefined) throw new Error(`evidence blob ${blob} missing`);
  const v = await verifyContainer({ containerPath: path, trustAnchors: w.gw.ctx.trustAnchors(), policy: w.gw.ctx.policy, now: w.clock.now });
  if (!v.ok) throw new Error(v.error.message);
  if (v.value.kind !== 'receipt') throw new Error('evidence is not a receipt');
  return { kind: v.value.receipt.kind, passed: v.value.passed, reason: v.value.receipt.reason };
}

function options(overrides: Partial<DeliverDueOptions> = {}): DeliverDueOptions {
  return { fetch: globalThis.fetch, random: () => 0.5, timeoutMs: 5_000, maxParallel: 4, limit: 50, allowInsecureLoopback: true, ...overrides };
}

/** Inlines bound parameters (test-only strings and numbers) so EXPLAIN sees the real statement. */
function inline(text: string, params: readonly unknown[]): string {
  let i = 0;
  return text.replace(/\?/gu, () => {
    const v = params[i++];
    return typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
  });
}

/** Moves the clock past the message's next attempt. */
function advancePastNextAttempt(w: World, id: string): void {
  const next = message(w, id).nextAttemptAt;
  if (next === null) throw new Error('no next attempt scheduled');
  w.clock.now = new Date(Date.parse(next) + 1);
}

describe('push delivery', () => {
  let w: World;
  beforeEach(async () => {
    w = await openWorld();
  });
  afterEach(async () => {
    await closeWorld(w);
  });

  it('retries an endpoint that fails three times (500, reset, 503) and delivers exactly once', async () => {
    const id = await send(w, 'gov-minfin');
    const script: ((res: ServerResponse) => void)[] = [
      (res) => res.writeHead(500).end('boom'),
      (res) => res.socket?.destroy(),
      (res) => res.writeHead(503, { 'retry-after': '1' }).end(),
      (res) => res.writeHead(202).end('{"ok":true}'),
    ];
    w.receiver.handle = (_req, res) => {
      const step = script[w.receiver.seen.length - 1];
      if (step === undefined) res.writeHead(409).end();
      else step(res);
    };

    const results = [];
    for (let i = 0; i < 4; i += 1) {
      results.push(await deliverDueMessages(w.gw.ctx, options()));
      if (i < 3) {
        expect(message(w, id).state).toBe('retrying');
        // Not due again before its backoff: a call now pushes nothing.
        expect(await deliverDueMessages(w.gw.ctx, options())).toEqual({ attempted: 0, delivered: 0, retrying: 0 });
        advancePastNextAttempt(w, id);
      }
    }
    expect(results).toEqual([
      { attempted: 1, delivered: 0, retrying: 1 },
      { attempted: 1, delivered: 0, retrying: 1 },
      { attempted: 1, delivered: 0, retrying: 1 },
      { attempted: 1, delivered: 1, retrying: 0 },
    ]);
    const deliveredAt = w.clock.now;
    // Delivered messages are never pushed again.
    w.clock.now = new Date(w.clock.now.getTime() + 3_600_000);
    expect(await deliverDueMessages(w.gw.ctx, options())).toEqual({ attempted: 0, delivered: 0, retrying: 0 });

    const row = message(w, id);
    expect(w.receiver.seen).toHaveLength(4);
    for (const s of w.receiver.seen) {
      expect(s.path).toBe('/inbox/minfin');
      expect(s.headers['content-type']).toBe('application/zip');
      expect(s.headers['x-edx-message-id']).toBe(id);
      expect(s.headers['idempotency-key']).toBe(id);
      expect(s.headers['x-edx-envelope-digest']).toBe(row.envelopeDigest);
    }
    const last = w.receiver.seen[3];
    expect(last?.body.length).toBe(row.containerSize);
    expect(createHash('sha256').update(last?.body ?? Buffer.alloc(0)).digest('hex')).toBe(row.containerBlob);
    expect(row).toMatchObject({ state: 'delivered', attempts: 4, nextAttemptAt: null, deliveredAt: deliveredAt.toISOString() });

    const events = timeline(w, id).filter((e) => e.type === 'message.push-failed' || e.type === 'message.delivered');
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['message.push-failed', 'queued', 'retrying'],
      ['message.push-failed', 'retrying', 'retrying'],
      ['message.push-failed', 'retrying', 'retrying'],
      ['message.delivered', 'retrying', 'delivered'],
    ]);
    expect(events.map((e) => e.detail['attempt'])).toEqual([1, 2, 3, 4]);
    expect(events[0]?.detail['status']).toBe(500);
    expect(String(events[1]?.detail['error'])).toMatch(/^NETWORK: /u);
    expect(events[2]?.detail['status']).toBe(503);
    for (const e of events.slice(0, 3)) expect(typeof e.detail['nextAttemptAt']).toBe('string');

    const delivered = receiptsOf(w, id).filter((r) => r.kind === 'delivered');
    expect(delivered).toHaveLength(1);
    const evidence = delivered[0];
    if (evidence === undefined) throw new Error('unreachable');
    expect(events[3]?.detail['evidence']).toBe(evidence.id);
    const check = await verifyEvidence(w, evidence.containerBlob);
    expect(check).toMatchObject({ kind: 'delivered', passed: true });
  });

  it('backs off: the next attempt is scheduled by the retry policy from the injected random source', async () => {
    const id = await send(w, 'gov-minfin');
    w.receiver.handle = (_req, res) => res.writeHead(500).end();
    const start = w.clock.now.getTime();
    await deliverDueMessages(w.gw.ctx, options({ random: () => 0.5 }));
    // attempt 1: ceiling 5 s, half of it.
    expect(message(w, id).nextAttemptAt).toBe(new Date(start + 2_500).toISOString());
    advancePastNextAttempt(w, id);
    const second = w.clock.now.getTime();
    await deliverDueMessages(w.gw.ctx, options({ random: () => 0.5 }));
    expect(message(w, id).nextAttemptAt).toBe(new Date(second + 5_000).toISOString());
  });

  it('two concurrent workers never push the same message twice', async () => {
    const a = await send(w, 'gov-minfin', 'первое');
    const b = await send(w, 'gov-minfin', 'второе');
    // Both workers read both due rows before either push finishes; the claims split them.
    const [r1, r2] = await Promise.all([
      deliverDueMessages(w.gw.ctx, options({ maxParallel: 1 })),
      deliverDueMessages(w.gw.ctx, options({ maxParallel: 1 })),
    ]);
    // The first worker claimed one row and lost the claim on the other to the second worker.
    expect([r1.attempted, r2.attempted]).toEqual([1, 1]);
    expect(r1.delivered + r2.delivered).toBe(2);
    expect(w.receiver.seen.map((s) => s.headers['x-edx-message-id']).sort()).toEqual([a, b].sort());
    expect(message(w, a).state).toBe('delivered');
    expect(message(w, b).state).toBe('delivered');
    expect(receiptsOf(w, a).filter((r) => r.kind === 'delivered')).toHaveLength(1);
  });

  it('two concurrent calls on one due message push it once', async () => {
    const id = await send(w, 'gov-minfin');
    const results = await Promise.all([deliverDueMessages(w.gw.ctx, options()), deliverDueMessages(w.gw.ctx, options()), deliverDueMessages(w.gw.ctx, options())]);
    expect(results.reduce((n, r) => n + r.attempted, 0)).toBe(1);
    expect(w.receiver.seen).toHaveLength(1);
    expect(message(w, id)).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(timeline(w, id).filter((e) => e.type === 'message.delivered')).toHaveLength(1);
  });

  it('a claim held by another worker is respected until its lease runs out', async () => {
    const id = await send(w, 'gov-minfin');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    w.receiver.handle = (_req, res) => {
      void held.then(() => res.writeHead(200).end());
    };
    const first = deliverDueMessages(w.gw.ctx, options());
    await vi.waitFor(() => expect(w.receiver.seen).toHaveLength(1));
    // Same instant, and even later but inside the lease: nothing to do.
    expect(await deliverDueMessages(w.gw.ctx, options())).toEqual({ attempted: 0, delivered: 0, retrying: 0 });
    w.clock.now = new Date(w.clock.now.getTime() + 9_000);
    expect(await deliverDueMessages(w.gw.ctx, options())).toEqual({ attempted: 0, delivered: 0, retrying: 0 });
    release();
    expect(await first).toEqual({ attempted: 1, delivered: 1, retrying: 0 });
    expect(w.receiver.seen).toHaveLength(1);
    expect(message(w, id).state).toBe('delivered');
  });

  it('a timeout is a failed attempt', async () => {
    const id = await send(w, 'gov-minfin');
    w.receiver.handle = () => undefined; // never answers
    expect(await deliverDueMessages(w.gw.ctx, options({ timeoutMs: 200 }))).toEqual({ attempted: 1, delivered: 0, retrying: 1 });
    const failed = timeline(w, id).filter((e) => e.type === 'message.push-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.detail['error']).toBe('TIMEOUT: no answer within 200 ms');
  });

  it('does not follow redirects away from the registered endpoint', async () => {
    const id = await send(w, 'gov-minfin');
    w.receiver.handle = (req, res) => {
      if (req.url === '/inbox/minfin') res.writeHead(307, { location: '/elsewhere' }).end();
      else res.writeHead(200).end();
    };
    await deliverDueMessages(w.gw.ctx, options());
    expect(w.receiver.seen.map((s) => s.path)).toEqual(['/inbox/minfin']);
    expect(message(w, id).state).toBe('retrying');
    expect(timeline(w, id).at(-1)?.detail['status']).toBe(307);
  });

  it('refuses a non-loopback http endpoint without any network call', async () => {
    const id = await send(w, 'gov-mineconomy');
    const spy = vi.fn<typeof fetch>(() => Promise.reject(new Error('must not be called')));
    expect(await deliverDueMessages(w.gw.ctx, options({ fetch: spy }))).toEqual({ attempted: 1, delivered: 0, retrying: 1 });
    expect(spy).not.toHaveBeenCalled();
    const failed = timeline(w, id).filter((e) => e.type === 'message.push-failed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]?.detail['error'])).toMatch(/^ENDPOINT_REFUSED: scheme http: is not allowed/u);
    expect(message(w, id).state).toBe('retrying');
  });

  it('refuses a loopback http endpoint unless allowInsecureLoopback is set', async () => {
    const id = await send(w, 'gov-minfin');
    const spy = vi.fn<typeof fetch>(() => Promise.reject(new Error('must not be called')));
    await deliverDueMessages(w.gw.ctx, { ...options({ fetch: spy }), allowInsecureLoopback: false });
    expect(spy).not.toHaveBeenCalled();
    expect(w.receiver.seen).toHaveLength(0);
    expect(String(timeline(w, id).at(-1)?.detail['error'])).toMatch(/^ENDPOINT_REFUSED: plain http to a loopback endpoint/u);
  });

  it('leaves pull recipients to their inbox', async () => {
    const id = await send(w, 'gov-minprom');
    const spy = vi.fn<typeof fetch>(() => Promise.reject(new Error('must not be called')));
    expect(await deliverDueMessages(w.gw.ctx, options({ fetch: spy }))).toEqual({ attempted: 0, delivered: 0, retrying: 0 });
    expect(spy).not.toHaveBeenCalled();
    expect(message(w, id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('finds due messages through the messages_due index', () => {
    const db = w.gw.ctx.db;
    // Give the planner statistics of a loaded gateway so it picks its plan as in production.
    db.run(sql`ANALYZE`);
    const q = dueMessagesQuery(db, '2099-01-01T00:00:00.000Z', 100).toSQL();
    const plan = db.all<{ detail: string }>(sql.join([sql.raw('EXPLAIN QUERY PLAN '), sql.raw(inline(q.sql, q.params))]));
    const text = plan.map((p) => p.detail).join('\n');
    expect(text).toMatch(/SEARCH messages USING INDEX messages_due/u);
    expect(text).toMatch(/SEARCH participants USING INDEX sqlite_autoindex_participants_1/u);
  });
});

describe('expiry', () => {
  let w: World;
  beforeEach(async () => {
    w = await openWorld();
  });
  afterEach(async () => {
    await closeWorld(w);
  });

  it('fails an undeliverable push message and a never-acknowledged pull message with not-delivered evidence', async () => {
    const pushed = await send(w, 'gov-minobr');
    const pulled = await send(w, 'gov-minprom');
    expect(await deliverDueMessages(w.gw.ctx, options())).toEqual({ attempted: 1, delivered: 0, retrying: 1 });
    expect(String(timeline(w, pushed).at(-1)?.detail['error'])).toBe('NETWORK: ECONNREFUSED');
    expect(await expireMessages(w.gw.ctx, { limit: 10 })).toEqual({ expired: 0 });

    const expiresAt = message(w, pushed).expiresAt;
    w.clock.now = new Date(Date.parse(expiresAt) + 1_000);
    // A letter sent later has not expired and stays.
    const later = await send(w, 'gov-minprom', 'позже');
    const spy = vi.fn<typeof fetch>(() => Promise.reject(new Error('expired messages are not pushed')));
    expect(await deliverDueMessages(w.gw.ctx, options({ fetch: spy }))).toEqual({ attempted: 0, delivered: 0, retrying: 0 });
    expect(spy).not.toHaveBeenCalled();
    expect(await expireMessages(w.gw.ctx, { limit: 10 })).toEqual({ expired: 2 });
    expect(await expireMessages(w.gw.ctx, { limit: 10 })).toEqual({ expired: 0 });

    for (const [id, from] of [
      [pushed, 'retrying'],
      [pulled, 'queued'],
    ] as const) {
      const row = message(w, id);
      expect(row).toMatchObject({ state: 'failed', nextAttemptAt: null, deliveredAt: null });
      const expired = timeline(w, id).filter((e) => e.type === 'message.expired');
      expect(expired.map((e) => [e.from, e.to])).toEqual([[from, 'failed']]);
      const notDelivered = receiptsOf(w, id).filter((r) => r.kind === 'not-delivered');
      expect(notDelivered).toHaveLength(1);
      const evidence = notDelivered[0];
      if (evidence === undefined) throw new Error('unreachable');
      expect(evidence).toMatchObject({ issuedBy: 'gateway', reasonCode: 'EXPIRED', reasonText: `not delivered before ${row.expiresAt}` });
      const check = await verifyEvidence(w, evidence.containerBlob);
      expect(check).toMatchObject({ kind: 'not-delivered', passed: true, reason: { code: 'EXPIRED', text: `not delivered before ${row.expiresAt}` } });
    }
    expect(message(w, later).state).toBe('queued');
  });

  it('does not fail a message that was delivered', async () => {
    const id = await send(w, 'gov-minfin');
    await deliverDueMessages(w.gw.ctx, options());
    w.clock.now = new Date(w.clock.now.getTime() + TTL_MS + 1_000);
    expect(await expireMessages(w.gw.ctx, { limit: 10 })).toEqual({ expired: 0 });
    expect(message(w, id).state).toBe('delivered');
    expect(receiptsOf(w, id).map((r) => r.kind).sort()).toEqual(['accepted', 'delivered']);
  });
});

describe('scheduler', () => {
  let w: World;
  beforeEach(async () => {
    w = await openWorld();
  });
  afterEach(async () => {
    await closeWorld(w);
  });

  it('delivers due messages on its own and stop() waits for the tick in progress', async () => {
    const id = await send(w, 'gov-minfin');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    w.receiver.handle = (_req, res) => {
      void held.then(() => res.writeHead(200).end());
    };
    const errors: unknown[] = [];
    const scheduler = startScheduler(w.gw.ctx, { delivery: options(), expireLimit: 10, onError: (e) => errors.push(e) });
    await vi.waitFor(() => expect(w.receiver.seen).toHaveLength(1), { timeout: 10_000 });
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    // The tick in flight completed before stop() resolved.
    expect(message(w, id).state).toBe('delivered');
    expect(w.receiver.seen).toHaveLength(1);
    expect(errors).toEqual([]);
    // Nothing runs after stop.
    await scheduler.tick();
    expect(w.receiver.seen).toHaveLength(1);
  });

  it('expires messages on its ticks', async () => {
    const id = await send(w, 'gov-minprom');
    w.clock.now = new Date(w.clock.now.getTime() + TTL_MS + 1_000);
    const errors: unknown[] = [];
    const scheduler = startScheduler(w.gw.ctx, { delivery: options(), expireLimit: 10, onError: (e) => errors.push(e) });
    try {
      await vi.waitFor(() => expect(message(w, id).state).toBe('failed'), { timeout: 10_000 });
    } finally {
      await scheduler.stop();
    }
    expect(errors).toEqual([]);
  });
});
