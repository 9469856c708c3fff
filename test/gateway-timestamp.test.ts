/**
 * The gateway time-stamping the signatures it makes when it accepts a letter (CAdES-T, issue 5):
 * a TSA answering with `openssl ts -reply` on loopback; the stored reports carry the token's
 * genTime as best signature time; every signature still passes `openssl cms -verify` and every
 * token `openssl ts -verify`; with the TSA down the submission fails with TSA_UNAVAILABLE and
 * nothing is stored.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../src/crypto/oids.ts';
import { createOpensslPki, startLoopbackServer, type LoopbackServer, type OpensslPki } from '../src/crypto/revocation/test-support.ts';
import { and, eq } from 'drizzle-orm';
import { tables, verifyJournal } from '../src/db/index.ts';
import { markDelivered, stampPendingReceipts, TIMESTAMP_ADDED_EVENT, TIMESTAMP_PENDING_EVENT } from '../src/delivery/index.ts';
import { openContainer } from '../src/envelope/index.ts';
import { RECEIPT_SIGNATURE_ENTRY } from '../src/letters/index.ts';
import { extractAll } from './helpers/containers.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';
import { signIn } from './helpers/console-client.ts';
import { opensslVerifyDetached, tool } from './helpers/tools.ts';

let tsa: LoopbackServer;
let pki: OpensslPki;
let gw: TestGateway;
let scratch: string;
let requests = 0;

function answerTimestamps(): void {
  tsa.handler = (path, body) => {
    if (path !== '/tsa') return { status: 404, body: Buffer.alloc(0) };
    requests += 1;
    return { status: 200, body: pki.tsReply(body), type: 'application/timestamp-reply' };
  };
}

beforeAll(async () => {
  tsa = await startLoopbackServer();
  pki = createOpensslPki(tsa.baseUrl);
  answerTimestamps();
  gw = await startTestGateway({
    timestamp: { url: `${tsa.baseUrl}/tsa`, trustAnchors: [{ certificate: pki.ca.der, qualified: false, label: 'test TSA CA' }], fetch: globalThis.fetch, timeoutMs: 10_000 },
  });
  scratch = await mkdtemp(join(tmpdir(), 'edx-gw-tsa-'));
});
afterAll(async () => {
  await gw.dispose();
  await tsa.close();
  pki.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

interface TimestampedReport {
  bestSignatureTime: string;
  timestamp: { genTime: string; tsa: string } | null;
}

/** The signatureTimeStampToken of the (single) SignerInfo and the signature value it must cover. */
function tokenOf1(p7s: Buffer): { token: Buffer; signatureValue: Buffer } {
  const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(p7s).content });
  const [signer] = signed.signerInfos;
  if (signer === undefined) throw new Error('no SignerInfo');
  const attribute = signer.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken);
  const value = attribute?.values[0] as { toBER(): ArrayBuffer } | undefined;
  if (value === undefined) throw new Error('no signatureTimeStampToken');
  return { token: Buffer.from(value.toBER()), signatureValue: Buffer.from(signer.signature.valueBlock.valueHexView) };
}

async function storedBlobs(): Promise<number> {
  const entries = await readdir(gw.paths.blobs, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !join(e.parentPath, e.name).startsWith(join(gw.paths.blobs, 'tmp'))).length;
}

describe('CAdES-T on acceptance', () => {
  it('time-stamps every signature it makes; reports, openssl cms and openssl ts agree', async () => {
    const before = requests;
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    expect(sent.status).toBe(202);
    expect(requests - before).toBe(3); // the file's signature, the transport signature and the accepted receipt's
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';

    const view = (await (await gw.app.request(`/api/v1/messages/${id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) })).json()) as {
      signatures: { indication: string; report: TimestampedReport }[];
    };
    expect(view.signatures.length).toBe(2);
    for (const s of view.signatures) {
      expect(s.indication).toBe('TOTAL-PASSED');
      expect(s.report.timestamp?.genTime).toMatch(/^\d{4}-\d\d-\d\dT/u);
      expect(s.report.timestamp?.tsa).toContain('tsa');
      expect(s.report.bestSignatureTime).toBe(s.report.timestamp?.genTime);
    }

    const res = await gw.app.request(`/api/v1/inbox/${id}/container`, { headers: auth(tokenOf(gw, 'gov-minprom')) });
    expect(res.status).toBe(200);
    const zip = join(scratch, `${randomUUID()}.zip`);
    await writeFile(zip, Buffer.from(await res.arrayBuffer()));
    const paths = await extractAll(zip, join(scratch, randomUUID()));
    const signatures = [...paths.keys()].filter((n) => n.endsWith('.p7s'));
    expect(signatures.length).toBe(2);
    const root = join(gw.paths.pki, 'root.pem');
    for (const name of signatures) {
      const content = paths.get(name.replace(/\.p7s$/u, ''));
      const sigPath = paths.get(name);
      if (content === undefined || sigPath === undefined) throw new Error(`no content for ${name}`);
      const cms = opensslVerifyDetached(sigPath, content, root);
      expect(cms.status, `${name}: ${cms.stderr}`).toBe(0);

      const { token, signatureValue } = tokenOf1(await readFile(sigPath));
      const tokenPath = `${sigPath}.tst`;
      await writeFile(tokenPath, token);
      const imprint = createHash('sha256').update(signatureValue).digest('hex');
      const ts = tool('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-digest', imprint, '-CAfile', pki.ca.certPath]);
      expect(ts.status, `${name}: ${ts.stdout}${ts.stderr}`).toBe(0);
      expect(ts.stdout).toContain('Verification: OK');
      // The token binds this signature value and no other.
      const other = tool('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-digest', createHash('sha256').update('other').digest('hex'), '-CAfile', pki.ca.certPath]);
      expect(other.status).not.toBe(0);
    }
  });

  it('answers 503 TSA_UNAVAILABLE and stores nothing when the TSA is down', async () => {
    const messages = gw.ctx.db.select().from(tables.messages).all().length;
    const blobs = await storedBlobs();
    tsa.handler = () => ({ status: 503, body: Buffer.from('down for maintenance') });
    try {
      const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom', 'gov-minfin'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
      expect(sent.status).toBe(503);
      const err = (await sent.json()) as { code: string; details: { code: string } };
      expect(err.code).toBe('TSA_UNAVAILABLE');
      expect(err.details.code).toBe('HTTP_STATUS');
    } finally {
      answerTimestamps();
    }
    expect(gw.ctx.db.select().from(tables.messages).all().length).toBe(messages);
    expect(await storedBlobs()).toBe(blobs);
    expect(await readdir(gw.ctx.tmpDir)).toEqual([]);
  });

  it('answers TSA_UNAVAILABLE when nothing listens at the TSA address', async () => {
    const gone = await startLoopbackServer();
    await gone.close();
    const configured = gw.ctx.timestamp;
    if (configured === undefined) throw new Error('no TSA configured');
    const messages = gw.ctx.db.select().from(tables.messages).all().length;
    gw.ctx.timestamp = { ...configured, url: `${gone.baseUrl}/tsa` };
    try {
      const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
      expect(sent.status).toBe(503);
      const err = (await sent.json()) as { code: string; details: { code: string } };
      expect(err.code).toBe('TSA_UNAVAILABLE');
      expect(err.details.code).toBe('NETWORK');
    } finally {
      gw.ctx.timestamp = configured;
    }
    expect(gw.ctx.db.select().from(tables.messages).all().length).toBe(messages);
  });

  it('records a pushed delivery while the TSA is down and adds the receipt token once it answers', async () => {
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    expect(sent.status).toBe(202);
    const { messages } = (await sent.json()) as { messages: { id: string }[] };
    const id = messages[0]?.id;
    if (id === undefined) throw new Error('no message');
    const row = gw.ctx.db.select().from(tables.messages).where(eq(tables.messages.id, id)).get();
    if (row === undefined) throw new Error('message not stored');

    tsa.handler = () => ({ status: 503, body: Buffer.from('down for maintenance') });
    let receiptId: string | null;
    try {
      // The scheduler's path (a push endpoint said 2xx): the fact is recorded, the token follows.
      receiptId = await markDelivered(gw.ctx, { messageId: id, envelopeDigest: row.envelopeDigest, from: row.state, actor: 'gateway', detail: { how: 'pushed' } });
      expect(await stampPendingReceipts(gw.ctx, { limit: 10 })).toEqual({ stamped: 0, pending: 1 });
    } finally {
      answerTimestamps();
    }
    if (receiptId === null) throw new Error('not delivered');
    expect(gw.ctx.db.select().from(tables.messages).where(eq(tables.messages.id, id)).get()?.state).toBe('delivered');
    const tokens = () => gw.ctx.db.select().from(tables.messageEvidence).where(and(eq(tables.messageEvidence.receiptId, receiptId ?? ''), eq(tables.messageEvidence.kind, 'signature-timestamp'))).all();
    expect(tokens()).toEqual([]);
    const events = (type: string) => gw.ctx.db.select().from(tables.events).where(and(eq(tables.events.type, type), eq(tables.events.messageId, id))).all();
    expect(events(TIMESTAMP_PENDING_EVENT)).toHaveLength(1);

    expect(await stampPendingReceipts(gw.ctx, { limit: 10 })).toEqual({ stamped: 1, pending: 1 });
    expect(await stampPendingReceipts(gw.ctx, { limit: 10 })).toEqual({ stamped: 0, pending: 0 });
    const [stored] = tokens();
    if (stored === undefined) throw new Error('no token stored');
    expect(events(TIMESTAMP_ADDED_EVENT)).toHaveLength(1);
    expect(verifyJournal(gw.ctx.db).ok).toBe(true);

    // The token covers the delivered receipt's signature value: openssl ts -verify is the judge.
    const receipt = gw.ctx.db.select().from(tables.receipts).where(eq(tables.receipts.id, receiptId)).get();
    const receiptPath = receipt === undefined ? undefined : await gw.ctx.blobs.pathOf(receipt.containerBlob);
    const tokenPath = await gw.ctx.blobs.pathOf(stored.blob);
    if (receiptPath === undefined || tokenPath === undefined) throw new Error('blobs missing');
    const opened = await openContainer({ path: receiptPath });
    if (!opened.ok) throw new Error(opened.error.message);
    const p7s = await opened.value.readEntry(RECEIPT_SIGNATURE_ENTRY, 1 << 20);
    await opened.value.close();
    if (!p7s.ok) throw new Error(p7s.error.message);
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(p7s.value).content });
    const signatureValue = Buffer.from(signed.signerInfos[0]?.signature.valueBlock.valueHexView ?? new Uint8Array());
    const imprint = createHash('sha256').update(signatureValue).digest('hex');
    const ts = tool('openssl', ['ts', '-verify', '-token_in', '-in', tokenPath, '-digest', imprint, '-CAfile', pki.ca.certPath]);
    expect(ts.status, `${ts.stdout}${ts.stderr}`).toBe(0);

    // The console's message page lists the stored evidence; its download is the same token.
    const console = await signIn(gw, tokenOf(gw, 'demo-refinery'));
    const html = await (await console.get(`/console/messages/${id}`)).text();
    expect(html).toContain('id="evidence"');
    expect(html).toContain(stored.blob);
    const link = `/console/messages/${id}/evidence/${String(stored.id)}`;
    expect(html).toContain(`href="${link}"`);
    const download = await console.get(link);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/timestamp-token');
    expect(Buffer.from(await download.arrayBuffer()).equals(await readFile(tokenPath))).toBe(true);
    // Another participant's session sees neither the page nor the evidence.
    const stranger = await signIn(gw, tokenOf(gw, 'gov-minfin'));
    expect((await stranger.get(link)).status).toBe(404);
  });
});
