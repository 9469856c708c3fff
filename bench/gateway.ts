/**
 * The gateway figures of issue 3, each against the real server process (`node --import tsx
 * src/main.ts`, what `npm start` runs) on a loopback port, next to a limit measured in the same run:
 *
 * 1. submissions/s of 100 KB letters from 10 concurrent clients (small directory, fast start);
 * 2. first start on the full directory (734 government addressees + demo enterprises, development
 *    PKI) and end-to-end latency submit -> pulled -> registered receipt visible to the sender while
 *    734 simulated EDMS poll their inboxes;
 * 3. inbox listing p50/p99 over HTTP with 100,000 stored messages.
 *
 * The server's peak RSS (VmHWM from /proc/<pid>/status) is read before each stop. Every child
 * process and temp directory is cleaned up on error, and a letter that is never registered fails
 * the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_VALIDATION_POLICY, loadPrivateKeyPem, pemToDerList } from '../src/crypto/index.ts';
import { loadDirectoryFixture, type DevToken, type DirectoryFixture } from '../src/directory/index.ts';
import { createReceipt, packLetter, verifyContainer, type SigningIdentity } from '../src/letters/index.ts';
import type { BenchRow } from './letters.ts';

const ROOT = resolve(import.meta.dirname, '..');

// ---------------------------------------------------------------------------------------------
// Child processes

interface Child {
  proc: ChildProcess;
  output: () => string;
  /** Peak resident set size of the process so far (Linux VmHWM), in MiB. */
  peakRssMiB: () => number | undefined;
  stop: () => Promise<void>;
}

const children = new Set<Child>();

async function startChild(script: string, args: readonly string[], env: Record<string, string>, ready: RegExp, timeoutMs: number): Promise<{ child: Child; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const child: Child = {
    proc,
    output: () => out,
    peakRssMiB: () => {
      try {
        const m = /^VmHWM:\s+(\d+) kB/mu.exec(readFileSync(`/proc/${proc.pid ?? 0}/status`, 'utf8'));
        return m?.[1] === undefined ? undefined : Number(m[1]) / 1024;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  };
  children.add(child);
  const match = await new Promise<RegExpExecArray>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${script} did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = (): void => {
      const m = ready.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        res(m);
      }
    };
    proc.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`${script} exited before it was ready:\n${out}`));
    });
  });
  return { child, match };
}

interface GatewayProcess {
  child: Child;
  url: string;
  /** Spawn to "listening", ms. */
  startMs: number;
  /** What main.ts reports for a first start: participants seeded and the time it took. */
  seeded?: { participants: number; ms: number };
  tokens: Map<string, string>;
}

async function startGateway(dataDir: string, directoryFile?: string): Promise<GatewayProcess> {
  const t0 = performance.now();
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', EDX_DATA_DIR: dataDir, EDX_REVOCATION: 'skip' };
  if (directoryFile !== undefined) env.EDX_DIRECTORY_FILE = directoryFile;
  const { child, match } = await startChild('src/main.ts', [], env, /listening on (http:\/\/127\.0\.0\.1:\d+)/u, 600_000);
  const startMs = performance.now() - t0;
  const seed = /first start: seeded (\d+) participants.*\((\d+) ms\)/u.exec(child.output());
  const list = JSON.parse(await readFile(join(dataDir, 'tokens.json'), 'utf8')) as DevToken[];
  const tokens = new Map(list.filter((t) => !t.roles.includes('admin')).map((t) => [t.participantId, t.token]));
  return {
    child,
    url: match[1] ?? '',
    startMs,
    ...(seed === null ? {} : { seeded: { participants: Number(seed[1]), ms: Number(seed[2]) } }),
    tokens,
  };
}

function tokenOf(gw: GatewayProcess, id: string): string {
  const t = gw.tokens.get(id);
  if (t === undefined) throw new Error(`no development token for ${id}`);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an unsorted sample. */
function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(0));
const mib = (v: number | undefined): string => (v === undefined ? '?' : `${v.toFixed(0)} MiB`);

function pick<T>(items: readonly T[]): T {
  const v = items[Math.floor(Math.random() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

function letterForm(to: string, payload: Uint8Array, subject: string): FormData {
  const form = new FormData();
  form.set(
    'metadata',
    JSON.stringify({
      to: [to],
      document: { kind: 'letter', regNumber: `01-15/${Math.floor(Math.random() * 1e6)}`, regDate: new Date().toISOString().slice(0, 10), subject, signatory: { name: 'Иванов Иван Иванович', position: 'Генеральный директор' } },
    }),
  );
  form.append('files', new Blob([payload], { type: 'application/pdf' }), 'Письмо.pdf');
  return form;
}

/** `clients` loops calling `fn` until `durationMs` is over; returns completions/s and latencies. */
async function closedLoop(clients: number, durationMs: number, fn: () => Promise<void>): Promise<{ rate: number; latencies: number[] }> {
  for (let i = 0; i < clients; i += 1) await fn(); // warm-up: connections, JIT, caches
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await fn();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { rate: (latencies.length * 1000) / (performance.now() - start), latencies };
}

function loadKey(path: string): KeyObject {
  const k = loadPrivateKeyPem(readFileSync(path));
  if (!k.ok) throw new Error(`${path}: ${k.error.message}`);
  return k.value;
}

function loadCert(path: string): Buffer {
  const [c] = pemToDerList(readFileSync(path));
  if (c === undefined) throw new Error(`${path}: no certificate`);
  return c;
}

// ---------------------------------------------------------------------------------------------
// 1. Submissions/s

const SMALL_IDS = ['gov-government', 'demo-refinery', 'demo-supplier', 'gov-minprom', 'gov-mineconomy', 'gov-minfin', 'gov-minobr'];
const SENDER = 'demo-refinery';

async function benchSubmissions(dir: string, full: DirectoryFixture, quick: boolean): Promise<BenchRow> {
  const keep = new Set(SMALL_IDS);
  // All pull: a push addressee would make the scheduler post to a fixture endpoint that does not exist.
  const participants = full.participants
    .filter((p) => keep.has(p.id))
    .map((p) => ({ ...p, parentId: p.parentId !== null && keep.has(p.parentId) ? p.parentId : null, delivery: { mode: 'pull' as const } }));
  const directoryFile = join(dir, 'small-directory.json');
  await writeFile(directoryFile, JSON.stringify({ ...full, participants }));
  const dataDir = join(dir, 'submit');
  const gw = await startGateway(dataDir, directoryFile);
  const recipients = participants.filter((p) => p.kind === 'government' && p.id !== 'gov-government').map((p) => p.id);
  const payload = randomBytes(100 * 1024);
  const durationMs = quick ? 3_000 : 15_000;
  const authHeader = { authorization: `Bearer ${tokenOf(gw, SENDER)}` };

  const ours = await closedLoop(10, durationMs, async () => {
    const res = await fetch(`${gw.url}/api/v1/messages`, { method: 'POST', body: letterForm(pick(recipients), payload, 'О согласовании графика поставок'), headers: authHeader });
    const body = await res.text();
    if (res.status !== 202) throw new Error(`submission answered ${res.status}: ${body}`);
  });
  const rss = gw.child.peakRssMiB();
  await gw.child.stop();

  // Limit A: the same 10 clients POST the same multipart bodies to a loopback server (a separate
  // process too) that only receives them and fsyncs them: transport + one durable write, nothing
  // of parsing, signing, verifying, SQLite or evidence.
  const sinkDir = join(dir, 'sink');
  await mkdir(sinkDir);
  const sink = await startChild('bench/gateway-sink.ts', [sinkDir], {}, /listening (\d+)/u, 60_000);
  const sinkUrl = `http://127.0.0.1:${sink.match[1] ?? ''}/`;
  const floorIo = await closedLoop(10, durationMs, async () => {
    const res = await fetch(sinkUrl, { method: 'POST', body: letterForm(pick(recipients), payload, 'О согласовании графика поставок'), headers: authHeader });
    await res.text();
    if (res.status !== 202) throw new Error(`sink answered ${res.status}`);
  });
  await sink.child.stop();

  // Limit B: the cryptography one submission cannot avoid, on one thread as the server's event
  // loop runs it — SHA-256 of the 100 KB file, 3 signatures (file and envelope with the sender's
  // key, the `accepted` evidence with the gateway seal) and 2 verifications (file and envelope,
  // the receiver-side check the gateway makes before it answers 202).
  const senderKey = loadKey(join(dataDir, 'pki', `${SENDER}.key.pem`));
  const sealKey = loadKey(join(dataDir, 'pki', 'gateway.key.pem'));
  const senderPub = createPublicKey(new X509Certificate(loadCert(join(dataDir, 'pki', `${SENDER}.cert.pem`))).publicKey.export({ type: 'spki', format: 'pem' }));
  const sig = sign('sha256', Buffer.alloc(32, 1), senderKey);
  const cryptoOnce = (): void => {
    const digest = createHash('sha256').update(payload).digest();
    sign('sha256', digest, senderKey);
    sign('sha256', digest, senderKey);
    sign('sha256', digest, sealKey);
    if (!verify('sha256', Buffer.alloc(32, 1), senderPub, sig) || !verify('sha256', Buffer.alloc(32, 1), senderPub, sig)) throw new Error('crypto floor: verify failed');
  };
  for (let i = 0; i < 50; i += 1) cryptoOnce();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < (quick ? 500 : 2_000)) {
    cryptoOnce();
    n += 1;
  }
  const floorCrypto = (n * 1000) / (performance.now() - t0);
  const limit = Math.min(floorIo.rate, floorCrypto);
  return {
    name: 'gateway: submit 100 KB letters, 10 clients',
    ours: `${ours.rate.toFixed(1)} letters/s (p50 ${ms(percentile(ours.latencies, 50))} ms, p99 ${ms(percentile(ours.latencies, 99))} ms), server peak RSS ${mib(rss)}, load ${loadavg()[0]?.toFixed(1) ?? '?'}`,
    limit: `loopback POST+fsync ${floorIo.rate.toFixed(0)}/s; crypto floor ${floorCrypto.toFixed(0)}/s (SHA-256 + 3 sign + 2 verify)`,
    ratio: ours.rate / limit,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. First start on the full directory, then end-to-end latency with 734 EDMS polling

/** Quantile of the wait until the next poll for a letter arriving at a random moment, when the
 * EDMS polls every U[a, b] ms (the residual life of a renewal process; mean E[I²]/2E[I]). */
function residualQuantile(a: number, b: number, p: number): number {
  const m = (a + b) / 2;
  return 1 - p >= (m - a) / m ? p * m : b - Math.sqrt(2 * (b - a) * m * (1 - p));
}

interface Edms {
  id: string;
  token: string;
  cursor: string | undefined;
  signer: SigningIdentity | undefined;
}

/**
 * 734 simulated EDMS long-poll their inboxes (GET /inbox?wait=20, keep-alive fetch): each holds a
 * request open and the gateway answers it as soon as a letter for it is accepted. On a letter each
 * downloads it, acknowledges it, signs a `registered` receipt with its development key and posts
 * it. Meanwhile the enterprise submits letters to random pull addressees at a steady rate and
 * long-polls the message (GET /messages/:id?wait=20&changedFrom=STATE) until it reads
 * `registered`. The floor is the same signing and verification done once, in-process, with no
 * HTTP or database (inProcessFloor); ratio = floor p99 / our p99. (With interval polling instead,
 * the floor would be the poll wait itself: residualQuantile.) The machine's 1-minute load average
 * is printed too: the clients share the CPU with the server.
 */
async function benchEndToEnd(dir: string, dataDir: string, gw: GatewayProcess, full: DirectoryFixture, quick: boolean): Promise<{ row: BenchRow; pollerCount: number }> {
  const pollMs = 1_000;
  const jitter = 0.1; // each interval U[0.9 s, 1.1 s]
  const letters = quick ? 30 : 300;
  const lettersPerSecond = 5;
  const scratch = join(dir, 'edms');
  await mkdir(scratch);

  const government = full.participants.filter((p) => p.kind === 'government');
  const pullIds = government.filter((p) => p.delivery.mode === 'pull').map((p) => p.id);
  const edms: Edms[] = government.map((p) => ({ id: p.id, token: tokenOf(gw, p.id), cursor: undefined, signer: undefined }));
  const polls: number[] = [];
  const failures: string[] = [];
  const transportErrors: string[] = [];
  const isTransport = (error: unknown): error is Error => error instanceof Error && (error.name === 'TimeoutError' || error.message === 'fetch failed');
  const describe = (error: Error): string => `${error.name}${error.cause instanceof Error ? ` ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}` : ''}`;
  const retrying = async (deadline: number, call: () => Promise<Response>): Promise<Response> => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!isTransport(error) || performance.now() > deadline) throw error;
        transportErrors.push(describe(error));
        await sleep(100);
      }
    }
  };
  let running = true;
  let pulled = 0;

  const stop = new AbortController();
  const api = async (path: string, token: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${gw.url}${path}`, { signal: AbortSignal.any([AbortSignal.timeout(60_000), stop.signal]), ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` } });

  const register = async (e: Edms, messageId: string): Promise<void> => {
    const res = await api(`/api/v1/inbox/${messageId}/container`, e.token);
    if (res.status !== 200) throw new Error(`${e.id}: container ${messageId}: ${res.status} ${await res.text()}`);
    const container = join(scratch, `${messageId}.zip`);
    await writeFile(container, Buffer.from(await res.arrayBuffer()));
    const ack = await api(`/api/v1/inbox/${messageId}/ack`, e.token, { method: 'POST' });
    if (ack.status !== 200) throw new Error(`${e.id}: ack ${messageId}: ${ack.status} ${await ack.text()}`);
    e.signer ??= { privateKey: loadKey(join(dataDir, 'pki', `${e.id}.key.pem`)), certificate: loadCert(join(dataDir, 'pki', `${e.id}.cert.pem`)), chain: [] };
    const receiptPath = join(scratch, `${messageId}.receipt.zip`);
    const now = new Date();
    const made = await createReceipt({
      letterContainerPath: container,
      decision: { kind: 'registered', registration: { number: `ВХ-${Math.floor(Math.random() * 1e6)}`, date: now.toISOString().slice(0, 10) } },
      signer: e.signer,
      receiptId: randomUUID(),
      now,
      outputPath: receiptPath,
    });
    if (!made.ok) throw new Error(`${e.id}: receipt for ${messageId}: ${made.error.message}`);
    const posted = await api(`/api/v1/inbox/${messageId}/receipts`, e.token, { method: 'POST', body: await readFile(receiptPath), headers: { 'content-type': 'application/zip' } });
    if (posted.status !== 201) throw new Error(`${e.id}: receipt for ${messageId}: ${posted.status} ${await posted.text()}`);
    await rm(container, { force: true });
    await rm(receiptPath, { force: true });
    pulled += 1;
  };

  // Each EDMS long-polls its inbox (wait up to 20 s): the gateway answers as soon as a letter is
  // accepted, so latency is the work itself, not the polling interval.
  const poller = async (e: Edms): Promise<void> => {
    await sleep(Math.random() * pollMs);
    while (running) {
      try {
        const t = performance.now();
        const res = await api(`/api/v1/inbox?limit=100&wait=20${e.cursor === undefined ? '' : `&cursor=${e.cursor}`}`, e.token);
        const body = (await res.json()) as { items?: { id: string; cursor: string }[] };
        polls.push(performance.now() - t);
        if (res.status !== 200 || body.items === undefined) throw new Error(`${e.id}: inbox answered ${res.status}`);
        for (const item of body.items) {
          await register(e, item.id);
          e.cursor = item.cursor;
        }
      } catch (error) {
        // A refused/reset connection or a timeout is what an overloaded server does to a real
        // EDMS too: it tries again at its next poll (the cursor did not move). It is counted and
        // printed; anything else (a wrong status, a receipt that cannot be made) fails the run.
        if (!running) break;
        if (isTransport(error) || (error instanceof Error && error.name === 'AbortError')) transportErrors.push(describe(error as Error));
        else failures.push(error instanceof Error ? error.message : String(error));
        await sleep(pollMs * (1 - jitter + 2 * jitter * Math.random()));
      }
    }
  };

  const pollers = edms.map((e) => poller(e));
  try {
    await sleep(1.5 * pollMs); // every EDMS has polled at least once: the steady ~734 req/s
    const pollsBefore = polls.length;
    const loadStart = performance.now();
    const sender = tokenOf(gw, SENDER);
    const payload = randomBytes(20 * 1024);
    const latencies: number[] = [];
    const one = async (i: number): Promise<void> => {
      await sleep((i * 1000) / lettersPerSecond);
      const t0 = performance.now();
      const to = pick(pullIds);
      const key = randomUUID();
      // The Idempotency-Key makes a retry after a lost connection safe, as a real client does it.
      const res = await retrying(t0 + 180_000, () => api('/api/v1/messages', sender, { method: 'POST', body: letterForm(to, payload, `Письмо ${i}`), headers: { 'idempotency-key': key } }));
      const text = await res.text();
      if (res.status !== 202) throw new Error(`submission ${i} answered ${res.status}: ${text}`);
      const id = (JSON.parse(text) as { messages: { id: string }[] }).messages[0]?.id;
      if (id === undefined) throw new Error(`submission ${i}: no message id`);
      const deadline = t0 + 180_000;
      let state = 'queued';
      for (;;) {
        // The sender long-polls its message while the state is unchanged.
        const v = (await (await retrying(deadline, () => api(`/api/v1/messages/${id}?wait=20&changedFrom=${state}`, sender))).json()) as { state?: string };
        state = v.state ?? state;
        if (v.state === 'registered') break;
        if (v.state === 'refused' || v.state === 'failed') throw new Error(`letter ${id} ended ${v.state}`);
        if (performance.now() > deadline) throw new Error(`letter ${id} was not registered within 180 s (state ${v.state ?? '?'}); EDMS failures: ${failures.slice(0, 3).join('; ')}`);
      }
      latencies.push(performance.now() - t0);
    };
    await Promise.all(
      Array.from({ length: letters }, (_, i) =>
        one(i).catch((error: unknown) => {
          throw new Error(`letter ${i} of ${letters} was not registered (${transportErrors.length} connection errors so far, e.g. ${transportErrors.slice(-2).join(', ')}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }),
      ),
    );
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const pollRate = (polls.length - pollsBefore) / loadSeconds;
    // The sender can see `registered` (its long poll wakes on the commit) before the EDMS has read
    // the 201 for its receipt: let the EDMS finish before the long polls are cut.
    const settle = performance.now() + 30_000;
    while (pulled < letters && performance.now() < settle) await sleep(20);
    running = false;
    stop.abort();
    await Promise.all(pollers);
    if (failures.length > 0) throw new Error(`${failures.length} EDMS errors, first: ${failures[0] ?? ''}`);
    if (pulled !== letters) throw new Error(`the EDMS registered ${pulled} letters, ${letters} were sent`);
    const a = pollMs * (1 - jitter);
    const b = pollMs * (1 + jitter);
    void residualQuantile(a, b, 0.5);
    // The floor with long polling is the work itself, done once in-process with no HTTP, no
    // database and no other letters: pack + verify (the gateway's accept), the accepted and
    // delivered evidence (two receipt signatures), verify by the EDMS, its receipt, its verification.
    const floor = await inProcessFloor(dir, dataDir, full, quick ? 10 : 30);
    const floor50 = percentile(floor, 50);
    const floor99 = percentile(floor, 99);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return {
      pollerCount: edms.length,
      row: {
        name: `gateway: submit -> registered, ${edms.length} EDMS polling`,
        ours: `p50 ${ms(p50)} ms, p99 ${ms(p99)} ms (${letters} letters at ${lettersPerSecond}/s; ${pollRate.toFixed(0)} of ${Math.round((edms.length * 1000) / pollMs)} polls/s served, poll p50 ${ms(percentile(polls, 50))} p99 ${ms(percentile(polls, 99))} ms, ${transportErrors.length} connection errors${transportErrors.length === 0 ? '' : ` (${[...new Set(transportErrors)].slice(0, 2).join(', ')})`}; load ${loadavg()[0]?.toFixed(1) ?? '?'})`,
        limit: `p50 ${ms(floor50)} ms, p99 ${ms(floor99)} ms: the same signing and verification in-process, sequential`,
        ratio: floor99 / p99,
        target: 'p99 < 1000 ms',
      },
    };
  } finally {
    running = false;
    stop.abort();
    await Promise.all(pollers);
  }
}

/**
 * The floor of a first start: the key pairs (same algorithm as the development PKI, ECDSA P-256)
 * and one signature per certificate, plus the PEM exports — what seeding cannot do without.
 */
function keyFloorMs(count: number): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i += 1) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    sign('sha256', publicKey.export({ type: 'spki', format: 'der' }), privateKey);
    privateKey.export({ type: 'pkcs8', format: 'pem' });
  }
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// 3. Inbox listing with 100,000 stored messages

const STATES = ['delivered', 'registered', 'registered', 'registered', 'refused', 'answered'] as const;

/** Inserts `count` realistic message rows spread over the government addressees, in one transaction. */
function fillMessages(databasePath: string, count: number): { ms: number; recipients: string[] } {
  const db = new Database(databasePath);
  try {
    db.pragma('busy_timeout = 5000');
    const gov = (db.prepare("SELECT id FROM participants WHERE kind = 'government'").all() as { id: string }[]).map((r) => r.id);
    const senders = (db.prepare("SELECT id FROM participants WHERE kind = 'enterprise'").all() as { id: string }[]).map((r) => r.id);
    const blob = db.prepare('SELECT container_blob AS b, container_size AS s FROM messages LIMIT 1').get() as { b: string; s: number } | undefined;
    if (blob === undefined) throw new Error('no stored container to point the bulk rows at');
    const t0 = performance.now();
    const submissionId = randomUUID();
    const insertSubmission = db.prepare('INSERT INTO submissions (id, sender_id, idempotency_key, request_hash, response_json, created_at) VALUES (?, ?, NULL, ?, ?, ?)');
    const insert = db.prepare(`INSERT INTO messages (id, submission_id, sender_id, recipient_id, state, kind, reg_number, reg_date, subject, in_reply_to, response_due,
      envelope_digest, container_blob, container_size, created_at, updated_at, delivered_at, expires_at, next_attempt_at, attempts, answered_by)
      VALUES (?, ?, ?, ?, ?, 'letter', ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL)`);
    const start = Date.now() - 365 * 86_400_000;
    db.transaction(() => {
      insertSubmission.run(submissionId, pick(senders), createHash('sha256').update(submissionId).digest('hex'), '{}', new Date(start).toISOString());
      for (let i = 0; i < count; i += 1) {
        const at = new Date(start + Math.floor((i * 365 * 86_400_000) / count));
        const iso = at.toISOString();
        insert.run(
          randomUUID(),
          submissionId,
          pick(senders),
          pick(gov),
          pick(STATES),
          `01-15/${i}`,
          iso.slice(0, 10),
          `О согласовании графика поставок нефтепродуктов, письмо № ${i}`,
          i % 3 === 0 ? new Date(at.getTime() + 30 * 86_400_000).toISOString().slice(0, 10) : null,
          createHash('sha256').update(String(i)).digest('base64'),
          blob.b,
          blob.s,
          iso,
          iso,
          iso,
          new Date(at.getTime() + 72 * 3_600_000).toISOString(),
        );
      }
    })();
    return { ms: performance.now() - t0, recipients: gov };
  } finally {
    db.close();
  }
}

async function benchInbox(dataDir: string, gw: GatewayProcess, recipients: readonly string[], quick: boolean, stored: number): Promise<BenchRow> {
  const samples = quick ? 300 : 2_000;
  const db = new Database(join(dataDir, 'edx.sqlite'), { readonly: true });
  try {
    // The exact query listInbox runs (drizzle: recipient, seq > cursor, order by seq, limit).
    const query = db.prepare('SELECT * FROM messages WHERE recipient_id = ? AND seq > ? ORDER BY seq LIMIT 100');
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE recipient_id = ? AND seq > ? ORDER BY seq LIMIT 100').all('x', 0) as { detail: string }[]).map((r) => r.detail).join('; ');
    if (!/USING (INDEX messages_inbox|PRIMARY KEY)/u.test(plan) || /TEMP B-TREE/u.test(plan)) throw new Error(`the inbox query is not served by an index: ${plan}`);
    const countOf = db.prepare('SELECT count(*) AS n FROM messages WHERE recipient_id = ?');
    const seqAt = db.prepare('SELECT seq FROM messages WHERE recipient_id = ? ORDER BY seq LIMIT 1 OFFSET ?');
    const cases: { id: string; cursor: number | undefined }[] = [];
    for (let i = 0; i < samples; i += 1) {
      cases.push({ id: pick(recipients), cursor: undefined });
      // A cursor somewhere inside another addressee's inbox, as a client paging through it has.
      const id = pick(recipients);
      const n = (countOf.get(id) as { n: number }).n;
      const row = seqAt.get(id, Math.floor(Math.random() * n)) as { seq: number } | undefined;
      if (row === undefined) throw new Error(`inbox of ${id} is empty; the fill did not land`);
      cases.push({ id, cursor: row.seq });
    }
    const http = { first: [] as number[], cursor: [] as number[] };
    const direct = { first: [] as number[], cursor: [] as number[] };
    const run = async (c: { id: string; cursor: number | undefined }, record: boolean): Promise<void> => {
      const t = performance.now();
      const res = await fetch(`${gw.url}/api/v1/inbox?limit=100${c.cursor === undefined ? '' : `&cursor=${c.cursor}`}`, { headers: { authorization: `Bearer ${tokenOf(gw, c.id)}` } });
      const body = (await res.json()) as { items?: unknown[] };
      const took = performance.now() - t;
      if (res.status !== 200 || body.items === undefined) throw new Error(`inbox of ${c.id} answered ${res.status}`);
      if (c.cursor === undefined && body.items.length === 0) throw new Error(`inbox of ${c.id} is empty; the fill did not land`);
      if (record) (c.cursor === undefined ? http.first : http.cursor).push(took);
    };
    for (const c of cases.slice(0, 50)) await run(c, false);
    for (const c of cases) await run(c, true);
    for (const c of cases.slice(0, 50)) query.all(c.id, c.cursor ?? 0);
    for (const c of cases) {
      const t = performance.now();
      query.all(c.id, c.cursor ?? 0);
      (c.cursor === undefined ? direct.first : direct.cursor).push(performance.now() - t);
    }
    const all = [...http.first, ...http.cursor];
    const allDirect = [...direct.first, ...direct.cursor];
    return {
      name: `gateway: GET /inbox?limit=100, ${Math.round(stored / 1000)}k messages`,
      ours: `p50 ${ms(percentile(http.first, 50))}/${ms(percentile(http.cursor, 50))} ms, p99 ${ms(percentile(http.first, 99))}/${ms(percentile(http.cursor, 99))} ms (first page/cursor), RSS ${mib(gw.child.peakRssMiB())}`,
      limit: `same SQLite query in-process: p50 ${ms(percentile(direct.first, 50))}/${ms(percentile(direct.cursor, 50))} ms, p99 ${ms(percentile(direct.first, 99))}/${ms(percentile(direct.cursor, 99))} ms`,
      ratio: percentile(allDirect, 99) / percentile(all, 99),
      target: 'p99 < 50 ms',
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** Runs the three gateway figures of issue 3 (plus the first-start time) and returns their rows. */
export async function benchGateway(options: { quick: boolean }): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-bench-gw-'));
  const rows: BenchRow[] = [];
  try {
    const loaded = await loadDirectoryFixture();
    if (!loaded.ok) throw new Error(loaded.error.message);
    const full = loaded.value;

    rows.push(await benchSubmissions(dir, full, options.quick));

    const dataDir = join(dir, 'full');
    let gw = await startGateway(dataDir);
    if (gw.seeded === undefined) throw new Error(`the first start did not report seeding:\n${gw.child.output()}`);
    const floorMs = keyFloorMs(gw.seeded.participants + 2);
    rows.push({
      name: `gateway: first start, ${gw.seeded.participants} participants`,
      ours: `seeded in ${gw.seeded.ms} ms, listening after ${gw.startMs.toFixed(0)} ms`,
      limit: `${floorMs.toFixed(0)} ms: ${gw.seeded.participants + 2} P-256 key pairs + 1 signature + PEM each`,
      ratio: floorMs / gw.seeded.ms,
    });

    const e2e = await benchEndToEnd(dir, dataDir, gw, full, options.quick);
    const e2eRss = gw.child.peakRssMiB();
    e2e.row.ours += `, RSS ${mib(e2eRss)}`;
    rows.push(e2e.row);
    await gw.child.stop();

    const stored = 100_000;
    const filled = fillMessages(join(dataDir, 'edx.sqlite'), stored);
    gw = await startGateway(dataDir);
    const inbox = await benchInbox(dataDir, gw, filled.recipients, options.quick, stored);
    inbox.ours += `; fill ${(filled.ms / 1000).toFixed(1)} s, restart ${gw.startMs.toFixed(0)} ms`;
    rows.push(inbox);
    await gw.child.stop();
  } finally {
    await Promise.all([...children].map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** One letter's cryptographic and file work, sequentially in-process (the end-to-end floor). */
async function inProcessFloor(dir: string, dataDir: string, full: DirectoryFixture, n: number): Promise<number[]> {
  const sender = full.participants.find((p) => p.id === SENDER);
  const recipient = full.participants.find((p) => p.kind === 'government');
  if (sender === undefined || recipient === undefined) throw new Error('directory lacks the sender or a recipient');
  const identity = (id: string): SigningIdentity => ({ privateKey: loadKey(join(dataDir, 'pki', `${id}.key.pem`)), certificate: loadCert(join(dataDir, 'pki', `${id}.cert.pem`)), chain: [] });
  const signer = identity(SENDER);
  const seal = identity(recipient.id);
  const anchors = [{ certificate: loadCert(join(dataDir, 'pki', 'root.pem')), qualified: true }];
  const policy = { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' as const };
  const file = join(dir, 'floor.pdf');
  await writeFile(file, randomBytes(20 * 1024));
  const party = (p: { id: string; name: string; inn: string; ogrn: string }): { id: string; name: string; inn: string; ogrn: string } => ({ id: p.id, name: p.name, inn: p.inn, ogrn: p.ogrn });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const letter = join(dir, `floor-${i}.zip`);
    const packed = await packLetter({ outputPath: letter, messageId: randomUUID(), now: new Date(), sender: party(sender), recipient: party(recipient), document: { kind: 'letter', regNumber: `F-${i}`, regDate: '2026-11-25', subject: 'floor', signatory: { name: 'A', position: 'B' } }, files: [{ sourcePath: file }], signer });
    if (!packed.ok) throw new Error(packed.error.message);
    await verifyContainer({ containerPath: letter, trustAnchors: anchors, policy, now: new Date() });
    for (const kind of ['registered', 'registered'] as const) {
      const r = join(dir, `floor-${i}-${randomUUID()}.zip`);
      await createReceipt({ letterContainerPath: letter, decision: { kind, registration: { number: '1', date: '2026-11-25' } }, signer: seal, receiptId: randomUUID(), now: new Date(), outputPath: r });
    }
    await verifyContainer({ containerPath: letter, trustAnchors: anchors, policy, now: new Date() });
    const receipt = join(dir, `floor-${i}-r.zip`);
    await createReceipt({ letterContainerPath: letter, decision: { kind: 'registered', registration: { number: '1', date: '2026-11-25' } }, signer: seal, receiptId: randomUUID(), now: new Date(), outputPath: receipt });
    await verifyContainer({ containerPath: receipt, trustAnchors: anchors, policy, now: new Date() });
    out.push(performance.now() - t);
  }
  return out;
}
