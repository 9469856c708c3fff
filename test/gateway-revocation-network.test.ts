/**
 * The gateway fetching revocation data over the network (issue 5): a CRL made by `openssl ca
 * -gencrl`, an `openssl ocsp` responder and an `openssl ts -reply` TSA behind one loopback HTTP
 * server started here. The CRL cache fetches the distribution point of a registered certificate,
 * keeps it on disk (a restart without the network still validates), and a stale CRL with nothing
 * answering refuses the letter with 503 REVOCATION_UNAVAILABLE; OCSP answers when the CRL does
 * not; a host off the allow-list is never contacted. Revocation data and detached signature
 * time-stamps are stored with the message and verify with openssl and offline with `edx verify`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureValuesOf } from '../src/crypto/timestamp/index.ts';
import { createOpensslPki, issueOrganisationSigner, openssl, startLoopbackServer, type Identity, type LoopbackServer, type OpensslPki } from '../src/crypto/revocation/test-support.ts';
import { tables } from '../src/db/index.ts';
import type { DevToken } from '../src/directory/index.ts';
import { packLetter } from '../src/letters/index.ts';
import { loadSigningKeyPem } from '../src/crypto/index.ts';
import { openGateway, type Gateway } from '../src/open-gateway.ts';
import { edx } from './helpers/cli.ts';
import { extractAll } from './helpers/containers.ts';
import { auth, letterForm, smallDirectory } from './helpers/gateway.ts';
import { tool } from './helpers/tools.ts';

let srv: LoopbackServer;
let pki: OpensslPki;
let scratch: string;
let signer: Identity;
let revokedSigner: Identity;
const hits = { crl: 0, ocsp: 0, tsa: 0, other: 0 };
const down = { crl: false, ocsp: false, tsa: false };

const DEMO = { id: 'demo-refinery', ogrn: '1025900000015', inn: '5904000010' };
const FILE = Buffer.from('%PDF-1.7\nsigned by the signatory\n');

function serve(): void {
  srv.handler = (path, body) => {
    if (path === '/ca.crl') {
      hits.crl += 1;
      return down.crl ? { status: 503, body: Buffer.alloc(0) } : { status: 200, body: pki.gencrl(), type: 'application/pkix-crl' };
    }
    if (path === '/ocsp') {
      hits.ocsp += 1;
      return down.ocsp ? { status: 503, body: Buffer.alloc(0) } : { status: 200, body: pki.ocspRespond(body), type: 'application/ocsp-response' };
    }
    if (path === '/tsa') {
      hits.tsa += 1;
      return down.tsa ? { status: 503, body: Buffer.alloc(0) } : { status: 200, body: pki.tsReply(body), type: 'application/timestamp-reply' };
    }
    hits.other += 1;
    return { status: 404, body: Buffer.alloc(0) };
  };
}

/** A signatory certificate of the openssl CA carrying demo-refinery's OGRN and INN (so it may sign for it). */
function issueSignatory(name: string): Identity {
  return issueOrganisationSigner(pki, name, { name: 'Demo Refinery', ogrn: DEMO.ogrn, inn: DEMO.inn });
}

/** A detached CAdES-BES signature by `who` over FILE, made by openssl. */
async function signFile(who: Identity): Promise<Buffer> {
  const file = join(scratch, `${randomUUID()}.pdf`);
  await writeFile(file, FILE);
  return openssl(['cms', '-sign', '-binary', '-cades', '-md', 'sha256', '-outform', 'DER', '-nosmimecap', '-in', file, '-signer', who.certPath, '-inkey', who.keyPath]);
}

interface Opened extends Gateway {
  clock: { now: Date };
  token(participant: string): string;
  admin: string;
}

async function open(dataDir: string, options: { allowHosts?: string[]; tsa?: boolean; now?: Date } = {}): Promise<Opened> {
  const clock = { now: options.now ?? new Date() };
  const gw = await openGateway({
    dataDir,
    revocation: 'require',
    maxUploadBytes: 64 * 1024 * 1024,
    messageTtlMs: 72 * 3_600_000,
    now: () => clock.now,
    directory: await smallDirectory(),
    revocationFetch: { fetch: globalThis.fetch, allowHosts: options.allowHosts ?? ['127.0.0.1'], timeoutMs: 5_000, maxBytes: 1024 * 1024, minRefreshMs: 15 * 60_000 },
    ...(options.tsa === true ? { timestamp: { url: `${srv.baseUrl}/tsa`, trustAnchors: [{ certificate: pki.ca.der, qualified: false, label: 'test TSA CA' }], fetch: globalThis.fetch, timeoutMs: 5_000 } } : {}),
  });
  const tokens = JSON.parse(await readFile(gw.paths.tokens, 'utf8')) as DevToken[];
  const admin = tokens.find((t) => t.roles.includes('admin'))?.token ?? '';
  return {
    ...gw,
    clock,
    admin,
    token: (participant) => tokens.find((t) => t.participantId === participant && !t.roles.includes('admin'))?.token ?? '',
  };
}

/** Trusts the openssl CA and registers the signatories' certificates for demo-refinery (admin API). */
async function register(gw: Opened, identities: readonly Identity[]): Promise<void> {
  const anchor = await gw.app.request('/api/v1/admin/trust-anchors?label=openssl-ca', { method: 'POST', body: await readFile(pki.ca.certPath), headers: auth(gw.admin) });
  expect(anchor.status).toBe(201);
  for (const id of identities) {
    const res = await gw.app.request(`/api/v1/admin/participants/${DEMO.id}/certificates`, { method: 'POST', body: await readFile(id.certPath), headers: auth(gw.admin) });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}

async function sendSigned(gw: Opened, who: Identity, to: readonly string[] = ['gov-minprom']): Promise<Response> {
  const form = letterForm({ to, files: [{ name: 'Письмо.pdf', bytes: FILE, type: 'application/pdf' }], signatures: [{ name: 'Письмо.pdf.p7s', bytes: await signFile(who) }] });
  return gw.app.request('/api/v1/messages', { method: 'POST', body: form, headers: auth(gw.token(DEMO.id)) });
}

interface Evidence {
  id: number;
  kind: 'crl' | 'ocsp' | 'signature-timestamp';
  path: string;
  receiptId: string | null;
  genTime: string | null;
  sha256: string;
}

async function evidenceOf(gw: Opened, messageId: string): Promise<Evidence[]> {
  const res = await gw.app.request(`/api/v1/messages/${messageId}/evidence`, { headers: auth(gw.token(DEMO.id)) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { evidence: Evidence[] }).evidence;
}

async function download(gw: Opened, messageId: string, e: Evidence): Promise<string> {
  const res = await gw.app.request(`/api/v1/messages/${messageId}/evidence/${e.id}`, { headers: auth(gw.token(DEMO.id)) });
  expect(res.status).toBe(200);
  const path = join(scratch, `${randomUUID()}.der`);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

/** `openssl ts -verify` of a stored token against the digest of the signature value it claims to cover. */
function opensslTsVerify(tokenPath: string, signatureValue: Buffer): ReturnType<typeof tool> {
  return tool('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-digest', createHash('sha256').update(signatureValue).digest('hex'), '-CAfile', pki.ca.certPath]);
}

async function containerOf(gw: Opened, messageId: string, recipient = 'gov-minprom'): Promise<{ zip: string; entries: Map<string, string> }> {
  const res = await gw.app.request(`/api/v1/inbox/${messageId}/container`, { headers: auth(gw.token(recipient)) });
  expect(res.status).toBe(200);
  const zip = join(scratch, `${randomUUID()}.zip`);
  await writeFile(zip, Buffer.from(await res.arrayBuffer()));
  return { zip, entries: await extractAll(zip, join(scratch, randomUUID())) };
}

interface View {
  signatures: { path: string; indication: string; report: { bestSignatureTime: string; timestamp: { genTime: string } | null; checks: { id: string; status: string }[]; revocation: { checked: boolean; certificates?: { source: string | null; origin: string | null }[] } } }[];
}

async function viewOf(gw: Opened, id: string): Promise<View> {
  return (await (await gw.app.request(`/api/v1/messages/${id}`, { headers: auth(gw.token(DEMO.id)) })).json()) as View;
}

beforeAll(async () => {
  srv = await startLoopbackServer();
  pki = createOpensslPki(srv.baseUrl);
  serve();
  scratch = await mkdtemp(join(tmpdir(), 'edx-gw-revnet-'));
  signer = issueSignatory('Ivanov');
  revokedSigner = issueSignatory('Petrov');
  pki.revoke(revokedSigner);
});
afterAll(async () => {
  await srv.close();
  pki.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('CRL cache and network revocation (EDX_REVOCATION=require)', () => {
  let gw: Opened;
  let dataDir: string;
  let acceptedId = '';
  beforeAll(async () => {
    dataDir = join(scratch, 'gw-main');
    gw = await open(dataDir);
    await register(gw, [signer, revokedSigner]);
  });
  afterAll(() => gw.close());

  it('fetches the distribution point of a registered certificate, verifies it and keeps it on disk', async () => {
    const before = hits.crl;
    const summary = await gw.refreshCrlCache();
    expect(summary.failed).toEqual([]);
    expect(summary.fetched).toEqual([`${srv.baseUrl}/ca.crl`]);
    expect(hits.crl - before).toBe(1);
    // Not due again before 80% of its validity: the next tick does not fetch.
    expect((await gw.refreshCrlCache()).fetched).toEqual([]);
    expect(hits.crl - before).toBe(1);
    const files = (await readdir(join(dataDir, 'crl-cache'))).filter((f) => f.endsWith('.crl'));
    expect(files.length).toBe(1);
    const check = tool('openssl', ['crl', '-inform', 'DER', '-in', join(dataDir, 'crl-cache', files[0] ?? ''), '-CAfile', pki.ca.certPath, '-noout']);
    expect(check.stderr).toContain('verify OK');

    const metrics = await (await gw.app.request('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`edx_crl_age_seconds\\{url="${srv.baseUrl}/ca.crl"\\} \\d+`, 'u'));
    expect(metrics).toContain(`edx_crl_stale{url="${srv.baseUrl}/ca.crl"} 0`);
    const ready = await gw.app.request('/readyz/revocation');
    expect(ready.status).toBe(200);
  });

  it('accepts a letter whose signatory is on no CRL, checked against the cached CRL, and stores the CRL with it', async () => {
    const crlHits = hits.crl;
    const sent = await sendSigned(gw, signer);
    expect(sent.status, await sent.clone().text()).toBe(202);
    expect(hits.crl).toBe(crlHits); // the cached CRL answered
    acceptedId = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const view = await viewOf(gw, acceptedId);
    const supplied = view.signatures.find((s) => s.path !== 'envelope.xml.p7s');
    expect(supplied?.indication).toBe('TOTAL-PASSED');
    expect(supplied?.report.revocation.checked).toBe(true);
    expect(supplied?.report.revocation.certificates?.[0]?.source).toBe('crl');

    const evidence = await evidenceOf(gw, acceptedId);
    const crl = evidence.find((e) => e.kind === 'crl' && e.path === supplied?.path);
    if (crl === undefined) throw new Error('no CRL stored with the message');
    const path = await download(gw, acceptedId, crl);
    expect(tool('openssl', ['crl', '-inform', 'DER', '-in', path, '-CAfile', pki.ca.certPath, '-noout']).stderr).toContain('verify OK');
  });

  it('lets `edx verify` validate the stored letter again offline with the stored revocation data', async () => {
    const { zip } = await containerOf(gw, acceptedId);
    const crls = await Promise.all((await evidenceOf(gw, acceptedId)).filter((e) => e.kind === 'crl').map((e) => download(gw, acceptedId, e)));
    expect(crls.length).toBe(2); // the signatory's CA and the development CA (transport signature)
    const ocspHits = hits.ocsp + hits.crl;
    const run = await edx(['verify', zip, '--trust', pki.ca.certPath, '--trust', join(gw.paths.pki, 'root.pem'), ...crls.flatMap((c) => ['--crl', c]), '--json'], gw.clock.now);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(hits.ocsp + hits.crl).toBe(ocspHits);
    const withoutEvidence = await edx(['verify', zip, '--trust', pki.ca.certPath, '--trust', join(gw.paths.pki, 'root.pem'), '--json'], gw.clock.now);
    expect(withoutEvidence.code).not.toBe(0);
  });

  it('refuses a letter whose signatory is on the CRL', async () => {
    const sent = await sendSigned(gw, revokedSigner);
    expect(sent.status).toBe(422);
    const err = (await sent.json()) as { code: string; details: { signatures: { reports: { subIndication: string | null }[] }[] } };
    expect(err.code).toBe('SIGNATURE_INVALID');
    expect(err.details.signatures.flatMap((s) => s.reports.map((r) => r.subIndication))).toContain('REVOKED_NO_POE');
  });

  it('still validates after a restart with the CRL server down (the cached CRL on disk)', async () => {
    gw.close();
    down.crl = true;
    down.ocsp = true;
    try {
      gw = await open(dataDir, { now: gw.clock.now });
      const failed = await gw.refreshCrlCache();
      expect(failed.fetched).toEqual([]);
      const sent = await sendSigned(gw, signer);
      expect(sent.status, await sent.clone().text()).toBe(202);
    } finally {
      down.crl = false;
      down.ocsp = false;
    }
  });

  it('answers 503 REVOCATION_UNAVAILABLE (TRY_LATER) once the cached CRL is stale and nothing answers, storing nothing', async () => {
    gw.clock.now = new Date(gw.clock.now.getTime() + 8 * 86_400_000); // past the CRL's nextUpdate (7 days)
    await gw.refreshRevocation(); // the development CA's own CRL stays fresh: only the signatory's is stale
    down.crl = true;
    down.ocsp = true;
    const messages = gw.ctx.db.select().from(tables.messages).all().length;
    try {
      const refreshed = await gw.refreshCrlCache();
      expect(refreshed.failed.map((f) => f.url)).toEqual([`${srv.baseUrl}/ca.crl`]);
      const metrics = await (await gw.app.request('/metrics')).text();
      expect(metrics).toContain(`edx_crl_stale{url="${srv.baseUrl}/ca.crl"} 1`);
      const ready = await gw.app.request('/readyz/revocation');
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { code: string }).code).toBe('NOT_READY');

      const sent = await sendSigned(gw, signer);
      expect(sent.status).toBe(503);
      const err = (await sent.json()) as { code: string; details: { signatures: { reports: { indication: string; subIndication: string | null }[] }[] } };
      expect(err.code).toBe('REVOCATION_UNAVAILABLE');
      const reports = err.details.signatures.flatMap((s) => s.reports);
      expect(reports.filter((r) => r.indication !== 'TOTAL-PASSED').map((r) => r.subIndication)).toEqual(['TRY_LATER']);
      // The stale cached CRL was refused, then the distribution point and the OCSP responder were tried.
      expect(JSON.stringify(err.details)).toContain('the CRL is stale');
      expect(JSON.stringify(err.details)).toContain(`OCSP ${srv.baseUrl}/ocsp: HTTP_STATUS`);
    } finally {
      down.crl = false;
      down.ocsp = false;
    }
    expect(gw.ctx.db.select().from(tables.messages).all().length).toBe(messages);
  });
});

describe('OCSP and the allow-list', () => {
  it('asks the OCSP responder of the AIA when the CRL route gives no answer, and stores the response', async () => {
    const gw = await open(join(scratch, 'gw-ocsp'));
    try {
      await register(gw, [signer]);
      down.crl = true;
      const before = hits.ocsp;
      const sent = await sendSigned(gw, signer);
      expect(sent.status, await sent.clone().text()).toBe(202);
      expect(hits.ocsp - before).toBe(1);
      const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
      const supplied = (await viewOf(gw, id)).signatures.find((s) => s.path !== 'envelope.xml.p7s');
      expect(supplied?.report.revocation.certificates?.[0]?.source).toBe('ocsp');
      const ocsp = (await evidenceOf(gw, id)).find((e) => e.kind === 'ocsp');
      if (ocsp === undefined) throw new Error('no OCSP response stored');
      const path = await download(gw, id, ocsp);
      const text = tool('openssl', ['ocsp', '-respin', path, '-resp_text', '-noverify']);
      expect(text.stdout).toContain('Cert Status: good');
    } finally {
      down.crl = false;
      gw.close();
    }
  });

  it('never contacts a host that is not on the allow-list, and refuses with TRY_LATER', async () => {
    const gw = await open(join(scratch, 'gw-closed'), { allowHosts: ['crl.example.invalid'] });
    try {
      await register(gw, [signer]);
      const before = { ...hits };
      const refreshed = await gw.refreshCrlCache();
      expect(refreshed.failed[0]?.error).toContain('NOT_ALLOWED');
      const sent = await sendSigned(gw, signer);
      expect(sent.status).toBe(503);
      expect(((await sent.json()) as { code: string }).code).toBe('REVOCATION_UNAVAILABLE');
      expect(hits).toEqual(before);
    } finally {
      gw.close();
    }
  });
});

describe('time-stamps on what the gateway accepts (EDX_TSA_URL)', () => {
  let gw: Opened;
  beforeAll(async () => {
    gw = await open(join(scratch, 'gw-tsa'), { tsa: true });
    await register(gw, [signer]);
    await gw.refreshCrlCache();
  });
  afterAll(() => gw.close());

  it('time-stamps a supplied signature once for all recipients; the token is kept beside it and passes openssl ts -verify', async () => {
    const before = hits.tsa;
    const signature = await signFile(signer);
    const form = letterForm({ to: ['gov-minprom', 'gov-minfin'], files: [{ name: 'Письмо.pdf', bytes: FILE }], signatures: [{ name: 'Письмо.pdf.p7s', bytes: signature }] });
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: form, headers: auth(gw.token(DEMO.id)) });
    expect(sent.status, await sent.clone().text()).toBe(202);
    // 1 for the shared signatory signature, then per recipient the transport signature and the accepted receipt.
    expect(hits.tsa - before).toBe(1 + 2 * 2);
    const messages = ((await sent.json()) as { messages: { id: string; to: string }[] }).messages;
    const [value] = signatureValuesOf(signature).ok ? (signatureValuesOf(signature) as { value: Buffer[] }).value : [];
    if (value === undefined) throw new Error('no signature value');
    for (const m of messages) {
      const { entries } = await containerOf(gw, m.id, m.to);
      const p7s = [...entries.keys()].find((k) => k.endsWith('.p7s') && k !== 'envelope.xml.p7s') ?? '';
      // The signatory's .p7s is in the container byte for byte.
      expect(await readFile(entries.get(p7s) ?? '')).toEqual(signature);
      const evidence = await evidenceOf(gw, m.id);
      const token = evidence.find((e) => e.kind === 'signature-timestamp' && e.path === p7s);
      if (token === undefined) throw new Error('no signature time-stamp stored');
      const verified = opensslTsVerify(await download(gw, m.id, token), value);
      expect(verified.stdout + verified.stderr).toContain('Verification: OK');
      const report = (await viewOf(gw, m.id)).signatures.find((s) => s.path === p7s)?.report;
      expect(report?.timestamp?.genTime).toBe(token.genTime);
      expect(report?.bestSignatureTime).toBe(token.genTime);
      expect(report?.checks.find((c) => c.id === 'timestamp')?.status).toBe('passed');
      // The accepted receipt's signature is time-stamped too.
      const receiptToken = evidence.find((e) => e.kind === 'signature-timestamp' && e.receiptId !== null);
      expect(receiptToken?.path).toBe('receipt.xml.p7s');
    }
  });

  /** A container packed and signed by the signatory's own system (openssl-issued key). */
  async function packContainer(): Promise<{ bytes: Buffer; messageId: string }> {
    const key = loadSigningKeyPem(await readFile(signer.keyPath));
    if (!key.ok) throw new Error(key.error.message);
    const file = join(scratch, 'Письмо.pdf');
    await writeFile(file, FILE);
    const out = join(scratch, `${randomUUID()}.zip`);
    const packed = await packLetter({
      outputPath: out,
      messageId: randomUUID(),
      now: gw.clock.now,
      sender: { id: DEMO.id, name: 'Демо-НПЗ', inn: DEMO.inn, ogrn: DEMO.ogrn },
      recipient: { id: 'gov-minprom', name: 'Минпромторг', inn: '5902000022', ogrn: '1025900000026' },
      document: { kind: 'letter', regNumber: '7/1', regDate: '2026-11-24', subject: 'Контейнер', signatory: { name: 'Ivanov', position: 'Director' } },
      files: [{ sourcePath: file, name: 'Письмо.pdf' }],
      signer: { privateKey: key.value, certificate: signer.der, chain: [] },
    });
    if (!packed.ok) throw new Error(packed.error.message);
    return { bytes: await readFile(out), messageId: packed.value.envelope.messageId };
  }

  it('time-stamps an uploaded container beside its unchanged signatures', async () => {
    const { bytes: uploaded, messageId: id } = await packContainer();
    const before = hits.tsa;
    const res = await gw.app.request('/api/v1/containers', { method: 'POST', body: uploaded, headers: { ...auth(gw.token(DEMO.id)), 'content-type': 'application/zip' } });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(hits.tsa - before).toBe(3); // the document signature, the transport signature, the accepted receipt
    const { zip, entries } = await containerOf(gw, id);
    expect(await readFile(zip)).toEqual(uploaded);
    const tokens = (await evidenceOf(gw, id)).filter((e) => e.kind === 'signature-timestamp' && e.receiptId === null);
    expect(tokens.map((t) => t.path).sort()).toEqual([...entries.keys()].filter((k) => k.endsWith('.p7s')).sort());
    for (const t of tokens) {
      const sig = await readFile(entries.get(t.path) ?? '');
      const values = signatureValuesOf(sig);
      if (!values.ok || values.value[0] === undefined) throw new Error('unreadable signature');
      const verified = opensslTsVerify(await download(gw, id, t), values.value[0]);
      expect(verified.stdout + verified.stderr).toContain('Verification: OK');
    }
  });

  it('refuses an uploaded container with 503 TSA_UNAVAILABLE when the TSA is down, storing nothing', async () => {
    const { bytes, messageId } = await packContainer();
    const messages = gw.ctx.db.select().from(tables.messages).all().length;
    down.tsa = true;
    try {
      const res = await gw.app.request('/api/v1/containers', { method: 'POST', body: bytes, headers: { ...auth(gw.token(DEMO.id)), 'content-type': 'application/zip' } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('TSA_UNAVAILABLE');
    } finally {
      down.tsa = false;
    }
    expect(gw.ctx.db.select().from(tables.messages).all().length).toBe(messages);
    expect(gw.ctx.db.select().from(tables.messageEvidence).all().some((e) => e.messageId === messageId)).toBe(false);
    const blob = createHash('sha256').update(bytes).digest('hex');
    expect(await gw.ctx.blobs.pathOf(blob)).toBeUndefined();
  });

  it('time-stamps its delivered receipt; with the TSA down the acknowledgement answers 503 and changes nothing', async () => {
    const sent = await sendSigned(gw, signer);
    expect(sent.status).toBe(202);
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    down.tsa = true;
    try {
      const refused = await gw.app.request(`/api/v1/inbox/${id}/ack`, { method: 'POST', headers: auth(gw.token('gov-minprom')) });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { code: string }).code).toBe('TSA_UNAVAILABLE');
      expect(gw.ctx.db.select().from(tables.messages).all().find((m) => m.id === id)?.state).toBe('queued');
    } finally {
      down.tsa = false;
    }
    const ack = await gw.app.request(`/api/v1/inbox/${id}/ack`, { method: 'POST', headers: auth(gw.token('gov-minprom')) });
    expect(ack.status).toBe(200);
    const receiptId = ((await ack.json()) as { evidence: string }).evidence;
    const token = (await evidenceOf(gw, id)).find((e) => e.kind === 'signature-timestamp' && e.receiptId === receiptId);
    if (token === undefined) throw new Error('no time-stamp on the delivered receipt');
    const receipt = await gw.app.request(`/api/v1/messages/${id}/receipts/${receiptId}`, { headers: auth(gw.token(DEMO.id)) });
    const rzip = join(scratch, `${randomUUID()}.zip`);
    await writeFile(rzip, Buffer.from(await receipt.arrayBuffer()));
    const rentries = await extractAll(rzip, join(scratch, randomUUID()));
    const values = signatureValuesOf(await readFile(rentries.get('receipt.xml.p7s') ?? ''));
    if (!values.ok || values.value[0] === undefined) throw new Error('unreadable receipt signature');
    const verified = opensslTsVerify(await download(gw, id, token), values.value[0]);
    expect(verified.stdout + verified.stderr).toContain('Verification: OK');
  });
});

