/**
 * The gateway's HTTP API driven through `createApp` (app.request) on a fresh migrated database:
 * send to several addressees, pull, acknowledge, register / refuse with signed receipts, reply,
 * idempotency, ready-made containers. Containers and receipts downloaded are judged by openssl
 * and xmllint, not only by our own verifier.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VALIDATION_POLICY, loadPrivateKeyPem, pemToDerList } from '../src/crypto/index.ts';
import { createReceipt, packLetter, verifyContainer, type SigningIdentity } from '../src/letters/index.ts';
import { extractAll } from './helpers/containers.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';
import { opensslVerifyDetached, xmllintSchema } from './helpers/tools.ts';

const SCHEMAS = resolve(import.meta.dirname, '..', 'schemas');
let gw: TestGateway;
let scratch: string;

async function identityOf(id: string): Promise<SigningIdentity> {
  const key = loadPrivateKeyPem(await readFile(join(gw.paths.pki, `${id}.key.pem`)));
  const cert = pemToDerList(await readFile(join(gw.paths.pki, `${id}.cert.pem`)))[0];
  if (!key.ok || cert === undefined) throw new Error(`no identity for ${id}`);
  return { privateKey: key.value, certificate: cert, chain: [] };
}

async function send(from: string, form: FormData, headers: Record<string, string> = {}): Promise<Response> {
  return gw.app.request('/api/v1/messages', { method: 'POST', body: form, headers: { ...auth(tokenOf(gw, from)), ...headers } });
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Submitted {
  submissionId: string;
  messages: { id: string; to: string; state: string }[];
}
interface View {
  state: string;
  timeline: { type: string; to: string | null }[];
  receipts: { id: string; kind: string; href: string; issuedBy: string; registration: { number: string; date: string } | null }[];
  signatures: { indication: string; role: string }[];
}

async function download(path: string, token: string, name: string): Promise<string> {
  const res = await gw.app.request(path, { headers: auth(token) });
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/zip');
  const file = join(scratch, name);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** Every .p7s in the container verifies with openssl against the development root; every XML with xmllint. */
async function judgeWithOracles(container: string): Promise<void> {
  const out = join(scratch, `x-${randomUUID()}`);
  const paths = await extractAll(container, out);
  const root = join(gw.paths.pki, 'root.pem');
  let signatures = 0;
  for (const [name, path] of paths) {
    if (name.endsWith('.p7s')) {
      const content = paths.get(name.replace(/\.p7s$/u, ''));
      if (content === undefined) throw new Error(`no content for ${name}`);
      const r = opensslVerifyDetached(path, content, root);
      expect(r.stderr, name).toContain('Verification successful');
      signatures += 1;
    }
    if (name === 'envelope.xml') expect(xmllintSchema(join(SCHEMAS, 'envelope.xsd'), [path]).status, name).toBe(0);
    if (name === 'receipt.xml') expect(xmllintSchema(join(SCHEMAS, 'receipt.xsd'), [path]).status, name).toBe(0);
  }
  expect(signatures).toBeGreaterThan(0);
}

beforeAll(async () => {
  gw = await startTestGateway();
  scratch = join(gw.dir, 'scratch');
  await mkdir(scratch);
});

afterAll(async () => {
  await gw.dispose();
});

describe('a letter to three addressees, end to end through the API', () => {
  let submitted: Submitted;

  it('is accepted with 202 and one queued message per addressee', async () => {
    const res = await send('demo-refinery', letterForm({ to: ['gov-minprom', 'gov-mineconomy', 'gov-minfin'] }));
    expect(res.status).toBe(202);
    submitted = await json<Submitted>(res);
    expect(submitted.messages.map((m) => m.to)).toEqual(['gov-minprom', 'gov-mineconomy', 'gov-minfin']);
    expect(submitted.messages.every((m) => m.state === 'queued')).toBe(true);
  });

  it('appears in each addressee\'s inbox only', async () => {
    for (const m of submitted.messages) {
      const res = await gw.app.request('/api/v1/inbox', { headers: auth(tokenOf(gw, m.to)) });
      const inbox = await json<{ items: { id: string; from: string }[] }>(res);
      expect(inbox.items.map((i) => i.id)).toEqual([m.id]);
      expect(inbox.items[0]?.from).toBe('demo-refinery');
    }
    const other = await json<{ items: unknown[] }>(await gw.app.request('/api/v1/inbox', { headers: auth(tokenOf(gw, 'gov-minobr')) }));
    expect(other.items).toEqual([]);
  });

  it('is downloaded as a container that openssl and xmllint accept, and acknowledged -> delivered with evidence', async () => {
    const [m] = submitted.messages;
    if (m === undefined) throw new Error('no message');
    const token = tokenOf(gw, m.to);
    const file = await download(`/api/v1/inbox/${m.id}/container`, token, 'pulled.zip');
    await judgeWithOracles(file);
    const ours = await verifyContainer({ containerPath: file, trustAnchors: gw.ctx.trustAnchors(), policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' }, now: new Date() });
    expect(ours.ok && ours.value.passed).toBe(true);

    const ack = await gw.app.request(`/api/v1/inbox/${m.id}/ack`, { method: 'POST', headers: auth(token) });
    expect(ack.status).toBe(200);
    expect(await json<{ state: string }>(ack)).toMatchObject({ state: 'delivered' });
    const again = await gw.app.request(`/api/v1/inbox/${m.id}/ack`, { method: 'POST', headers: auth(token) });
    expect(await json<{ state: string; evidence: string | null }>(again)).toMatchObject({ state: 'delivered', evidence: null });

    const view = await json<View>(await gw.app.request(`/api/v1/messages/${m.id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) }));
    expect(view.state).toBe('delivered');
    expect(view.receipts.map((r) => r.kind)).toEqual(['accepted', 'delivered']);
    expect(view.timeline.map((t) => t.to)).toEqual(['accepted', 'queued', 'delivered']);
    expect(view.signatures.length).toBe(2); // the file's signature and the envelope's
    expect(view.signatures.every((s) => s.indication === 'TOTAL-PASSED')).toBe(true);
    for (const r of view.receipts) {
      const receipt = await download(r.href, tokenOf(gw, 'demo-refinery'), `${r.kind}.zip`);
      await judgeWithOracles(receipt);
      const verified = await verifyContainer({ containerPath: receipt, trustAnchors: gw.ctx.trustAnchors(), policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' }, now: new Date() });
      expect(verified.ok && verified.value.passed, r.kind).toBe(true);
    }
  });

  it('is registered with the addressee\'s signed receipt; a replay and a wrong signer are refused', async () => {
    const [m] = submitted.messages;
    if (m === undefined) throw new Error('no message');
    const pulled = join(scratch, 'pulled.zip');
    const receipt = join(scratch, 'registered.zip');
    const made = await createReceipt({
      letterContainerPath: pulled,
      decision: { kind: 'registered', registration: { number: 'ВХ-2026/1187', date: '2026-11-25' } },
      signer: await identityOf(m.to),
      receiptId: randomUUID(),
      now: gw.clock.now,
      outputPath: receipt,
    });
    expect(made.ok).toBe(true);
    const token = tokenOf(gw, m.to);
    const post = async (file: Buffer): Promise<Response> =>
      await gw.app.request(`/api/v1/inbox/${m.id}/receipts`, { method: 'POST', body: file, headers: { ...auth(token), 'content-type': 'application/zip' } });
    const res = await post(await readFile(receipt));
    expect(res.status).toBe(201);
    expect(await json<{ state: string }>(res)).toMatchObject({ state: 'registered' });
    const replay = await post(await readFile(receipt));
    expect(replay.status).toBe(409);
    expect(await json<{ code: string }>(replay)).toMatchObject({ code: 'RECEIPT_REPLAYED' });

    const view = await json<View>(await gw.app.request(`/api/v1/messages/${m.id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) }));
    expect(view.state).toBe('registered');
    const registered = view.receipts.find((r) => r.kind === 'registered');
    expect(registered?.registration).toEqual({ number: 'ВХ-2026/1187', date: '2026-11-25' });
    expect(registered?.issuedBy).toBe('recipient');
  });

  it('is refused by another addressee with a reason; a receipt signed by someone else is refused', async () => {
    const m = submitted.messages[1];
    if (m === undefined) throw new Error('no message');
    const token = tokenOf(gw, m.to);
    const file = await download(`/api/v1/inbox/${m.id}/container`, token, 'pulled-2.zip');
    await gw.app.request(`/api/v1/inbox/${m.id}/ack`, { method: 'POST', headers: auth(token) });
    const forged = join(scratch, 'forged.zip');
    await createReceipt({
      letterContainerPath: file,
      decision: { kind: 'refused', reason: { code: 'NOT_OUR_COMPETENCE', text: 'Вопрос не относится к компетенции' } },
      signer: await identityOf('gov-minobr'), // a different body's certificate
      receiptId: randomUUID(),
      now: gw.clock.now,
      outputPath: forged,
    });
    const bad = await gw.app.request(`/api/v1/inbox/${m.id}/receipts`, { method: 'POST', body: await readFile(forged), headers: { ...auth(token), 'content-type': 'application/zip' } });
    expect(bad.status).toBe(422);
    expect(await json<{ code: string }>(bad)).toMatchObject({ code: 'SIGNATURE_INVALID' });

    const good = join(scratch, 'refused.zip');
    await createReceipt({
      letterContainerPath: file,
      decision: { kind: 'refused', reason: { code: 'NOT_OUR_COMPETENCE', text: 'Вопрос не относится к компетенции' } },
      signer: await identityOf(m.to),
      receiptId: randomUUID(),
      now: gw.clock.now,
      outputPath: good,
    });
    const res = await gw.app.request(`/api/v1/inbox/${m.id}/receipts`, { method: 'POST', body: await readFile(good), headers: { ...auth(token), 'content-type': 'application/zip' } });
    expect(res.status).toBe(201);
    expect(await json<{ state: string }>(res)).toMatchObject({ state: 'refused' });
  });

  it('a receipt for a message of someone else\'s inbox is not found', async () => {
    const m = submitted.messages[2];
    if (m === undefined) throw new Error('no message');
    const res = await gw.app.request(`/api/v1/inbox/${m.id}/receipts`, { method: 'POST', body: await readFile(join(scratch, 'registered.zip')), headers: { ...auth(tokenOf(gw, 'gov-minprom')), 'content-type': 'application/zip' } });
    expect(res.status).toBe(404);
    expect(await json<{ code: string }>(res)).toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
  });

  it('a reply letter moves the original to answered and lands in the enterprise\'s inbox', async () => {
    const m = submitted.messages[0];
    if (m === undefined) throw new Error('no message');
    const reply = letterForm({
      to: ['demo-refinery'],
      document: {
        kind: 'reply',
        regNumber: 'ИСХ-01/77',
        regDate: '2026-11-25',
        subject: 'Ответ на письмо о графике поставок',
        signatory: { name: 'Петрова Анна Сергеевна', position: 'Министр' },
        inReplyTo: m.id,
      },
    });
    const res = await send(m.to, reply);
    expect(res.status).toBe(202);
    const replyId = (await json<Submitted>(res)).messages[0]?.id;
    const view = await json<View & { answeredBy: string }>(await gw.app.request(`/api/v1/messages/${m.id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) }));
    expect(view.state).toBe('answered');
    expect(view.answeredBy).toBe(replyId);
    const inbox = await json<{ items: { id: string; inReplyTo: string | null }[] }>(await gw.app.request('/api/v1/inbox', { headers: auth(tokenOf(gw, 'demo-refinery')) }));
    expect(inbox.items).toEqual([expect.objectContaining({ id: replyId, inReplyTo: m.id })]);
    // Only the addressee of the original may answer it.
    const stranger = await send('gov-minobr', letterForm({ to: ['demo-refinery'], document: { kind: 'reply', regNumber: '1', regDate: '2026-11-25', subject: 'x', signatory: { name: 'a', position: 'b' }, inReplyTo: m.id } }));
    expect(stranger.status).toBe(422);
    expect(await json<{ code: string }>(stranger)).toMatchObject({ code: 'REPLY_TARGET_INVALID' });
  });

  it('lists the sender\'s messages by state and recipient', async () => {
    const token = tokenOf(gw, 'demo-refinery');
    const all = await json<{ items: { id: string; state: string }[] }>(await gw.app.request('/api/v1/messages', { headers: auth(token) }));
    expect(all.items.length).toBe(3);
    const refused = await json<{ items: { id: string }[] }>(await gw.app.request('/api/v1/messages?state=refused', { headers: auth(token) }));
    expect(refused.items.map((i) => i.id)).toEqual([submitted.messages[1]?.id]);
    const toMinfin = await json<{ items: { id: string }[] }>(await gw.app.request('/api/v1/messages?to=gov-minfin', { headers: auth(token) }));
    expect(toMinfin.items.map((i) => i.id)).toEqual([submitted.messages[2]?.id]);
  });
});

describe('idempotency', () => {
  it('replays the first answer for the same key and body, refuses the key with another body', async () => {
    const key = randomUUID();
    const first = await send('demo-supplier', letterForm({ to: ['gov-minobr'] }), { 'idempotency-key': key });
    expect(first.status).toBe(202);
    const a = await json<Submitted>(first);
    const second = await send('demo-supplier', letterForm({ to: ['gov-minobr'] }), { 'idempotency-key': key });
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await json<Submitted>(second)).toEqual(a);
    const inbox = await json<{ items: { id: string }[] }>(await gw.app.request('/api/v1/inbox', { headers: auth(tokenOf(gw, 'gov-minobr')) }));
    expect(inbox.items.filter((i) => i.id === a.messages[0]?.id).length).toBe(1);
    expect(inbox.items.length).toBe(1);
    const other = await send('demo-supplier', letterForm({ to: ['gov-minobr'], files: [{ name: 'other.pdf', bytes: Buffer.from('%PDF other') }] }), { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(await json<{ code: string }>(other)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});

describe('ready-made containers (POST /api/v1/containers)', () => {
  async function packBy(from: string, to: string, signerId: string): Promise<{ path: string; messageId: string }> {
    const file = join(scratch, `${randomUUID()}.pdf`);
    await writeFile(file, `%PDF-1.7 ${randomUUID()}`);
    const messageId = randomUUID();
    const path = join(scratch, `${messageId}.zip`);
    const p = (id: string): { id: string; name: string; inn: string; ogrn: string } => {
      const row = gw.ctx.db.query.participants.findFirst({ where: (t, { eq }) => eq(t.id, id) }).sync();
      if (row === undefined) throw new Error(id);
      return { id: row.id, name: row.name, inn: row.inn, ogrn: row.ogrn };
    };
    const packed = await packLetter({
      outputPath: path,
      messageId,
      now: gw.clock.now,
      sender: p(from),
      recipient: p(to),
      document: { kind: 'letter', regNumber: 'EDMS-1', regDate: '2026-11-25', subject: 'Из собственной СЭД', signatory: { name: 'Кузнецова М. О.', position: 'Директор' } },
      files: [{ sourcePath: file }],
      signer: await identityOf(signerId),
    });
    if (!packed.ok) throw new Error(packed.error.message);
    return { path, messageId };
  }
  const post = async (from: string, path: string): Promise<Response> =>
    gw.app.request('/api/v1/containers', { method: 'POST', body: await readFile(path), headers: { ...auth(tokenOf(gw, from)), 'content-type': 'application/zip' } });

  it('accepts a container signed by the sender\'s own system, once', async () => {
    const { path, messageId } = await packBy('demo-supplier', 'gov-minfin', 'demo-supplier');
    const res = await post('demo-supplier', path);
    expect(res.status).toBe(202);
    expect(await json<Submitted>(res)).toMatchObject({ messages: [{ id: messageId, to: 'gov-minfin', state: 'queued' }] });
    const again = await post('demo-supplier', path);
    expect(again.status).toBe(409);
    expect(await json<{ code: string }>(again)).toMatchObject({ code: 'DUPLICATE_MESSAGE' });
  });

  it('refuses a container whose envelope names another sender, or signed by someone else', async () => {
    const theirs = await packBy('demo-refinery', 'gov-minfin', 'demo-refinery');
    const res = await post('demo-supplier', theirs.path);
    expect(res.status).toBe(403);
    expect(await json<{ code: string }>(res)).toMatchObject({ code: 'NOT_SENDER' });
    const forged = await packBy('demo-supplier', 'gov-minfin', 'demo-refinery');
    const res2 = await post('demo-supplier', forged.path);
    expect(res2.status).toBe(422);
    expect(await json<{ code: string }>(res2)).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('refuses garbage with a machine-readable code and stores nothing', async () => {
    const before = await json<{ items: unknown[] }>(await gw.app.request('/api/v1/messages', { headers: auth(tokenOf(gw, 'demo-supplier')) }));
    const res = await gw.app.request('/api/v1/containers', { method: 'POST', body: Buffer.from('PK\u0003\u0004 not really'), headers: { ...auth(tokenOf(gw, 'demo-supplier')), 'content-type': 'application/zip' } });
    expect(res.status).toBe(422);
    expect(await json<{ code: string }>(res)).toMatchObject({ code: 'CONTAINER_INVALID' });
    const after = await json<{ items: unknown[] }>(await gw.app.request('/api/v1/messages', { headers: auth(tokenOf(gw, 'demo-supplier')) }));
    expect(after.items.length).toBe(before.items.length);
  });
});

describe('bad input to POST /api/v1/messages', () => {
  const cases: [string, () => FormData | string, number, string][] = [
    ['an unknown addressee', () => letterForm({ to: ['gov-nonexistent'] }), 422, 'UNKNOWN_RECIPIENT'],
    ['metadata that is not JSON', () => letterForm({ to: ['gov-minprom'], metadata: '{nope' }), 400, 'BAD_REQUEST'],
    ['an impossible registration date', () => letterForm({ to: ['gov-minprom'], document: { kind: 'letter', regNumber: '1', regDate: '2026-02-30', subject: 's', signatory: { name: 'a', position: 'b' } } }), 400, 'BAD_REQUEST'],
    ['an unknown document kind', () => letterForm({ to: ['gov-minprom'], document: { kind: 'memo', regNumber: '1', regDate: '2026-02-03', subject: 's', signatory: { name: 'a', position: 'b' } } }), 400, 'BAD_REQUEST'],
    ['no files', () => letterForm({ to: ['gov-minprom'], files: [] }), 400, 'BAD_REQUEST'],
    ['a supplied signature that signs other bytes', () => letterForm({ to: ['gov-minprom'], signatures: [{ name: 'Письмо.pdf.p7s', bytes: Buffer.from('not a signature') }] }), 422, 'LETTER_INVALID'],
    ['a JSON body instead of multipart', () => JSON.stringify({ to: ['gov-minprom'] }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ];
  for (const [name, body, status, code] of cases) {
    it(`${name}: ${status} ${code}, nothing stored`, async () => {
      const token = tokenOf(gw, 'demo-refinery');
      const before = await json<{ items: unknown[] }>(await gw.app.request('/api/v1/messages', { headers: auth(token) }));
      const b = body();
      const res = await gw.app.request('/api/v1/messages', { method: 'POST', body: b, headers: { ...auth(token), ...(typeof b === 'string' ? { 'content-type': 'application/json' } : {}) } });
      expect(res.status).toBe(status);
      const err = await json<{ code: string; message: string; requestId: string }>(res);
      expect(err.code).toBe(code);
      expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/u);
      const after = await json<{ items: unknown[] }>(await gw.app.request('/api/v1/messages', { headers: auth(token) }));
      expect(after.items.length).toBe(before.items.length);
    });
  }

  it('an upload over the limit: 413', async () => {
    const small = await startTestGateway({ maxUploadBytes: 10_000 });
    try {
      const form = letterForm({ to: ['gov-minprom'], files: [{ name: 'big.pdf', bytes: new Uint8Array(50_000) }] });
      const res = await small.app.request('/api/v1/messages', { method: 'POST', body: form, headers: auth(tokenOf(small, 'demo-refinery')) });
      expect(res.status).toBe(413);
      expect(await json<{ code: string }>(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    } finally {
      await small.dispose();
    }
  });
});
