/**
 * The whole round trip over real HTTP against the real server process (`src/main.ts` on a free
 * loopback port): an enterprise writes to three addressees — one that pulls and registers, one
 * whose EDMS receives by push (an HTTPS endpoint served by this test), one that refuses — then the
 * registering body answers. Every container and receipt downloaded is judged by openssl and xmllint.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevToken } from '../src/directory/index.ts';
import { extractAll } from './helpers/containers.ts';
import { smallDirectory } from './helpers/gateway.ts';
import { eventually, startServer, type ServerProcess } from './helpers/server.ts';
import { opensslVerifyDetached, tool, xmllintSchema } from './helpers/tools.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCHEMAS = join(ROOT, 'schemas');
let dir: string;
let server: ServerProcess;
let push: Server;
let pushed: { body: Buffer; headers: Record<string, string | string[] | undefined> }[] = [];
let tokens: Map<string, string>;
let dataDir: string;

const PULL = 'gov-minprom';
const PUSH = 'gov-minfin';
const REFUSER = 'gov-mineconomy';
const ENTERPRISE = 'demo-refinery';

function token(id: string): string {
  const t = tokens.get(id);
  if (t === undefined) throw new Error(`no token for ${id}`);
  return t;
}

async function api(path: string, init: RequestInit & { as: string }): Promise<Response> {
  const { as, ...rest } = init;
  return fetch(`${server.url}${path}`, { ...rest, headers: { ...(rest.headers as Record<string, string> | undefined), authorization: `Bearer ${token(as)}` } });
}

async function judge(container: string): Promise<number> {
  const out = await mkdtemp(join(dir, 'x-'));
  const paths = await extractAll(container, out);
  let checked = 0;
  for (const [name, path] of paths) {
    if (name.endsWith('.p7s')) {
      const content = paths.get(name.replace(/\.p7s$/u, ''));
      if (content === undefined) throw new Error(`no content for ${name}`);
      const r = opensslVerifyDetached(path, content, join(dataDir, 'pki', 'root.pem'));
      expect(r.stderr, `${container}: ${name}`).toContain('Verification successful');
      checked += 1;
    }
    if (name === 'envelope.xml') expect(xmllintSchema(join(SCHEMAS, 'envelope.xsd'), [path]).status).toBe(0);
    if (name === 'receipt.xml') expect(xmllintSchema(join(SCHEMAS, 'receipt.xsd'), [path]).status).toBe(0);
  }
  return checked;
}

async function save(res: Response, name: string): Promise<string> {
  expect(res.status).toBe(200);
  const file = join(dir, name);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

interface View {
  state: string;
  timeline: { type: string; to: string | null }[];
  receipts: { id: string; kind: string; href: string }[];
}

async function view(id: string, as: string): Promise<View> {
  return (await (await api(`/api/v1/messages/${id}`, { as })).json()) as View;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-e2e-'));
  dataDir = join(dir, 'data');
  // The push addressee's EDMS: HTTPS on loopback with a self-signed certificate the gateway trusts
  // through NODE_EXTRA_CA_CERTS, as an operator would configure a private CA.
  const key = join(dir, 'push.key');
  const cert = join(dir, 'push.crt');
  const made = tool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  expect(made.status).toBe(0);
  push = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pushed.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => push.listen(0, '127.0.0.1', r));
  const port = (push.address() as AddressInfo).port;

  const directory = await smallDirectory(undefined, (p) => (p.id === PUSH ? { ...p, delivery: { mode: 'push', endpoint: `https://127.0.0.1:${port}/edx/inbox` } } : p));
  const directoryFile = join(dir, 'directory.json');
  await writeFile(directoryFile, JSON.stringify(directory));
  server = await startServer({ EDX_DATA_DIR: dataDir, EDX_DIRECTORY_FILE: directoryFile, NODE_EXTRA_CA_CERTS: cert });
  const list = JSON.parse(await readFile(join(dataDir, 'tokens.json'), 'utf8')) as DevToken[];
  tokens = new Map(list.filter((t) => !t.roles.includes('admin')).map((t) => [t.participantId, t.token]));
  await mkdir(join(dir, 'files'));
});

afterAll(async () => {
  const exit = await server.stop('SIGTERM');
  await new Promise<void>((r) => push.close(() => r()));
  await rm(dir, { recursive: true, force: true });
  expect(exit.code).toBe(0);
});

describe('the real server, over HTTP', () => {
  const ids = new Map<string, string>();

  it('accepts a letter to a pull, a push and a refusing addressee', async () => {
    const form = new FormData();
    form.set('metadata', JSON.stringify({
      to: [PULL, PUSH, REFUSER],
      document: { kind: 'letter', regNumber: '01-15/2318', regDate: '2026-11-24', subject: 'О согласовании графика поставок нефтепродуктов', signatory: { name: 'Иванов Иван Иванович', position: 'Генеральный директор' } },
    }));
    form.append('files', new Blob([Buffer.from('%PDF-1.7\nписьмо\n')], { type: 'application/pdf' }), 'Письмо.pdf');
    form.append('files', new Blob([Buffer.from('приложение')], { type: 'text/plain' }), 'Приложение 1.txt');
    const res = await api('/api/v1/messages', { method: 'POST', body: form, as: ENTERPRISE, headers: { 'idempotency-key': 'e2e-1' } });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { messages: { id: string; to: string }[] };
    for (const m of body.messages) ids.set(m.to, m.id);
    expect([...ids.keys()]).toEqual([PULL, PUSH, REFUSER]);
  });

  it('pushes to the push addressee, which ends delivered with evidence', async () => {
    const id = ids.get(PUSH) ?? '';
    const v = await eventually(async () => {
      const s = await view(id, ENTERPRISE);
      return s.state === 'delivered' ? s : undefined;
    }, 30_000, 'push delivery');
    expect(v.receipts.map((r) => r.kind)).toEqual(['accepted', 'delivered']);
    expect(pushed.length).toBe(1);
    const container = join(dir, 'pushed.zip');
    await writeFile(container, pushed[0]?.body ?? Buffer.alloc(0));
    expect(await judge(container)).toBe(3);
    expect(pushed[0]?.headers['x-edx-message-id']).toBe(id);
  });

  it('the pull addressee pulls, acknowledges and registers with a receipt made by `edx receipt`', async () => {
    const id = ids.get(PULL) ?? '';
    const inbox = (await (await api('/api/v1/inbox', { as: PULL })).json()) as { items: { id: string }[] };
    expect(inbox.items.map((i) => i.id)).toEqual([id]);
    const container = await save(await api(`/api/v1/inbox/${id}/container`, { as: PULL }), 'pulled.zip');
    expect(await judge(container)).toBe(3);
    expect((await api(`/api/v1/inbox/${id}/ack`, { method: 'POST', as: PULL })).status).toBe(200);
    const receipt = join(dir, 'registered.zip');
    const r = tool(process.execPath, [join(ROOT, 'bin', 'edx.js'), 'receipt', '--for', container, '--kind', 'registered', '--number', 'ВХ-2026/1187', '--date', '2026-11-25', '--key', join(dataDir, 'pki', `${PULL}.key.pem`), '--cert', join(dataDir, 'pki', `${PULL}.cert.pem`), '-o', receipt]);
    expect(r.stderr + r.stdout).not.toMatch(/error/iu);
    expect(r.status).toBe(0);
    const posted = await api(`/api/v1/inbox/${id}/receipts`, { method: 'POST', body: await readFile(receipt), as: PULL, headers: { 'content-type': 'application/zip' } });
    expect(posted.status).toBe(201);
    expect((await view(id, ENTERPRISE)).state).toBe('registered');
  });

  it('the refusing addressee refuses with a reason', async () => {
    const id = ids.get(REFUSER) ?? '';
    const container = await save(await api(`/api/v1/inbox/${id}/container`, { as: REFUSER }), 'refuser.zip');
    await api(`/api/v1/inbox/${id}/ack`, { method: 'POST', as: REFUSER });
    const receipt = join(dir, 'refused.zip');
    const r = tool(process.execPath, [join(ROOT, 'bin', 'edx.js'), 'receipt', '--for', container, '--kind', 'refused', '--reason-code', 'NOT_OUR_COMPETENCE', '--reason', 'Вопрос вне компетенции министерства', '--key', join(dataDir, 'pki', `${REFUSER}.key.pem`), '--cert', join(dataDir, 'pki', `${REFUSER}.cert.pem`), '-o', receipt]);
    expect(r.status).toBe(0);
    const posted = await api(`/api/v1/inbox/${id}/receipts`, { method: 'POST', body: await readFile(receipt), as: REFUSER, headers: { 'content-type': 'application/zip' } });
    expect(posted.status).toBe(201);
    expect((await view(id, ENTERPRISE)).state).toBe('refused');
  });

  it('the registering body answers; the reply lands in the enterprise inbox and the original is answered', async () => {
    const original = ids.get(PULL) ?? '';
    const form = new FormData();
    form.set('metadata', JSON.stringify({ to: [ENTERPRISE], document: { kind: 'reply', regNumber: 'ИСХ-01/77', regDate: '2026-11-25', subject: 'О графике поставок', signatory: { name: 'Петрова А. С.', position: 'Министр' }, inReplyTo: original } }));
    form.append('files', new Blob([Buffer.from('%PDF-1.7\nответ\n')], { type: 'application/pdf' }), 'Ответ.pdf');
    const res = await api('/api/v1/messages', { method: 'POST', body: form, as: PULL });
    expect(res.status).toBe(202);
    const replyId = ((await res.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    expect((await view(original, ENTERPRISE)).state).toBe('answered');
    const inbox = (await (await api('/api/v1/inbox', { as: ENTERPRISE })).json()) as { items: { id: string; inReplyTo: string | null }[] };
    expect(inbox.items).toEqual([expect.objectContaining({ id: replyId, inReplyTo: original })]);
    const reply = await save(await api(`/api/v1/inbox/${replyId}/container`, { as: ENTERPRISE }), 'reply.zip');
    expect(await judge(reply)).toBe(2);
  });

  it('every receipt of every message verifies with openssl and xmllint, downloaded by the sender', async () => {
    let receipts = 0;
    for (const id of ids.values()) {
      for (const r of (await view(id, ENTERPRISE)).receipts) {
        const file = await save(await api(r.href, { as: ENTERPRISE }), `r-${r.id}.zip`);
        expect(await judge(file)).toBe(1);
        receipts += 1;
      }
    }
    // accepted x3, delivered x3, registered, refused
    expect(receipts).toBe(8);
  });

  it('the pushed container is byte-identical to the stored one', async () => {
    const id = ids.get(PUSH) ?? '';
    const stored = await api(`/api/v1/inbox/${id}/container`, { as: PUSH });
    const bytes = Buffer.from(await stored.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(pushed[0]?.body ?? Buffer.alloc(0)).digest('hex'));
  });
});
