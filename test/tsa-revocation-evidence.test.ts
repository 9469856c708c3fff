/**
 * The TSA's own revocation evidence for the time-stamps the gateway keeps beside signatures: the
 * TSA is certified by a SECOND openssl CA (not the signers'), as an accredited TSA would be, with
 * its own CRL at its own loopback distribution point. With revocation required the gateway checks
 * the TSA path at genTime when it obtains a token, stores the TSA CA's CRL with the message, and
 * the container + evidence verify offline with `edx verify` five years later; without that CRL
 * they do not. A revoked TSA or one whose status cannot be established is refused like a TSA that
 * is down (503 TSA_UNAVAILABLE), storing nothing. Real components: `openssl ca` (-gencrl, -revoke),
 * `openssl ts -reply`, a loopback HTTP server; `openssl crl` judges which CA issued a CRL.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeyPem } from '../src/crypto/index.ts';
import { createOpensslPki, issueOrganisationSigner, openssl, startLoopbackServer, type Identity, type LoopbackServer, type OpensslPki } from '../src/crypto/revocation/test-support.ts';
import { tables } from '../src/db/index.ts';
import { packLetter } from '../src/letters/index.ts';
import { edx } from './helpers/cli.ts';
import { auth, letterForm } from './helpers/gateway.ts';
import { downloadMessageEvidence, openEvidenceGateway, reportOf, type EvidenceGateway, type StoredEvidenceItem, type VerifiedContainer } from './helpers/stored-evidence.ts';

const YEAR_MS = 365 * 86_400_000;
const DEMO = { id: 'demo-refinery', ogrn: '1025900000015', inn: '5904000010' };
const FILE = Buffer.from('%PDF-1.7\nsigned by the signatory, time-stamped by an accredited TSA\n');
const DOCUMENT_SIGNATURE = 'Письмо.pdf.p7s';
/** Where the container (and so the evidence list) puts it. */
const DOCUMENT_ENTRY = `files/${DOCUMENT_SIGNATURE}`;
const TSA_CA_NAME = 'Test TSA CA';

let srv: LoopbackServer;
let pki: OpensslPki;
/** A second CA, certifying the TSA: its CRL is at `${srv.baseUrl}/tsa-pki/ca.crl`. */
let tsaCa: OpensslPki;
let scratch: string;
let signer: Identity;
const tsaCrl = { down: false, hits: 0 };

type Opened = EvidenceGateway;

function open(dataDir: string): Promise<Opened> {
  return openEvidenceGateway({
    dataDir,
    // The TSA chains to its own CA only, which is not a trust anchor for signers.
    tsa: { url: `${srv.baseUrl}/tsa`, anchor: tsaCa.ca.der, label: 'accredited TSA CA' },
    signersCaPem: readFileSync(pki.ca.certPath),
    signatoryCertPem: readFileSync(signer.certPath),
    participantId: DEMO.id,
  });
}

function sendForm(): FormData {
  const file = join(scratch, `${randomUUID()}.pdf`);
  writeFileSync(file, FILE);
  const p7s = openssl(['cms', '-sign', '-binary', '-cades', '-md', 'sha256', '-outform', 'DER', '-nosmimecap', '-in', file, '-signer', signer.certPath, '-inkey', signer.keyPath]);
  return letterForm({ to: ['gov-minprom'], files: [{ name: 'Письмо.pdf', bytes: FILE, type: 'application/pdf' }], signatures: [{ name: DOCUMENT_SIGNATURE, bytes: p7s }] });
}

/** A container packed and signed by the signatory's own system: no signature the gateway makes. */
async function packContainer(gw: Opened): Promise<{ bytes: Buffer; messageId: string }> {
  const key = loadSigningKeyPem(await readFile(signer.keyPath));
  if (!key.ok) throw new Error(key.error.message);
  const file = join(scratch, `${randomUUID()}.pdf`);
  await writeFile(file, FILE);
  const out = join(scratch, `${randomUUID()}.zip`);
  const packed = await packLetter({
    outputPath: out,
    messageId: randomUUID(),
    now: gw.now,
    sender: { id: DEMO.id, name: 'Демо-НПЗ', inn: DEMO.inn, ogrn: DEMO.ogrn },
    recipient: { id: 'gov-minprom', name: 'Минпромторг', inn: '5902000022', ogrn: '1025900000026' },
    document: { kind: 'letter', regNumber: '7/1', regDate: '2026-11-24', subject: 'Контейнер', signatory: { name: 'Sidorov', position: 'Director' } },
    files: [{ sourcePath: file, name: 'Письмо.pdf' }],
    signer: { privateKey: key.value, certificate: signer.der, chain: [] },
  });
  if (!packed.ok) throw new Error(packed.error.message);
  return { bytes: await readFile(out), messageId: packed.value.envelope.messageId };
}

async function upload(gw: Opened, bytes: Buffer): Promise<Response> {
  return gw.app.request('/api/v1/containers', { method: 'POST', body: bytes, headers: { ...auth(gw.token(DEMO.id)), 'content-type': 'application/zip' } });
}

/** `openssl crl -CAfile` as the judge of who issued a downloaded CRL. */
function issuedByTsaCa(path: string): boolean {
  try {
    const out = openssl(['crl', '-inform', 'DER', '-in', path, '-noout', '-issuer', '-CAfile', tsaCa.ca.certPath]).toString();
    return out.includes(TSA_CA_NAME);
  } catch {
    return false;
  }
}

async function verifyAt(gw: Opened, zip: string, now: Date, evidenceDir: string): Promise<{ code: number; result: VerifiedContainer; stderr: string }> {
  const run = await edx(['verify', zip, '--trust', pki.ca.certPath, '--trust', join(gw.paths.pki, 'root.pem'), '--tsa-trust', tsaCa.ca.certPath, '--evidence', evidenceDir, '--json'], now);
  return { code: run.code, result: JSON.parse(run.stdout) as VerifiedContainer, stderr: run.stderr };
}

/** A copy of `dir` without the TSA CA's CRLs. */
async function withoutTsaCaCrls(dir: string): Promise<{ dir: string; removed: number }> {
  const out = join(scratch, randomUUID());
  await mkdir(out);
  let removed = 0;
  for (const n of await readdir(dir)) {
    if (n.endsWith('.crl') && issuedByTsaCa(join(dir, n))) removed += 1;
    else await copyFile(join(dir, n), join(out, n));
  }
  return { dir: out, removed };
}

async function storedBlobs(gw: Opened): Promise<number> {
  const entries = await readdir(gw.paths.blobs, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !join(e.parentPath, e.name).startsWith(join(gw.paths.blobs, 'tmp'))).length;
}

beforeAll(async () => {
  srv = await startLoopbackServer();
  pki = createOpensslPki(srv.baseUrl);
  scratch = await mkdtemp(join(tmpdir(), 'edx-tsa-revocation-'));
  tsaCa = createOpensslPki(`${srv.baseUrl}/tsa-pki`, { caName: TSA_CA_NAME });
  srv.handler = (path, body) => {
    if (path === '/ca.crl') return { status: 200, body: pki.gencrl(), type: 'application/pkix-crl' };
    if (path === '/ocsp') return { status: 200, body: pki.ocspRespond(body), type: 'application/ocsp-response' };
    if (path === '/tsa-pki/ca.crl') {
      tsaCrl.hits += 1;
      return tsaCrl.down ? { status: 404, body: Buffer.alloc(0) } : { status: 200, body: tsaCa.gencrl(), type: 'application/pkix-crl' };
    }
    if (path === '/tsa') return { status: 200, body: tsaCa.tsReply(body, { signer: 'tsa' }), type: 'application/timestamp-reply' };
    return { status: 404, body: Buffer.alloc(0) };
  };
  signer = issueOrganisationSigner(pki, 'Sidorov', { name: 'Demo Refinery', ogrn: DEMO.ogrn, inn: DEMO.inn });
});
afterAll(async () => {
  await srv.close();
  pki.cleanup();
  tsaCa.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('a TSA under its own CA, revocation required', () => {
  let gw: Opened;
  beforeAll(async () => {
    gw = await open(join(scratch, 'gw'));
  });
  afterAll(() => gw.close());

  describe('a letter with the signatory\'s .p7s', () => {
    let zip: string;
    let dir: string;
    let evidence: (StoredEvidenceItem & { file: string })[];
    let later: Date;
    beforeAll(async () => {
      const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: sendForm(), headers: auth(gw.token(DEMO.id)) });
      expect(sent.status, await sent.clone().text()).toBe(202);
      const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
      ({ zip, dir, evidence } = await downloadMessageEvidence(gw, { messageId: id, recipientToken: gw.token('gov-minprom'), senderToken: gw.token(DEMO.id), scratch }));
      later = new Date(gw.now.getTime() + 5 * YEAR_MS);
    });

    it('stores the TSA CA\'s CRL beside each detached token, under the token\'s path', () => {
      for (const path of [DOCUMENT_ENTRY, 'receipt.xml.p7s']) {
        expect(evidence.some((e) => e.kind === 'signature-timestamp' && e.path === path), path).toBe(true);
        const crls = evidence.filter((e) => e.kind === 'crl' && e.path === path && issuedByTsaCa(join(dir, e.file)));
        expect(crls.length, path).toBe(1);
      }
    });

    it('verifies offline five years later with the stored evidence: TOTAL-PASSED', async () => {
      const { code, result, stderr } = await verifyAt(gw, zip, later, dir);
      expect(code, JSON.stringify(result, null, 2) + stderr).toBe(0);
      const document = reportOf(result, DOCUMENT_SIGNATURE);
      expect(document.indication).toBe('TOTAL-PASSED');
      expect(document.timestamp?.detached).toBe(true);
      expect(document.timestamp?.tsa).toMatch(/CN=tsa\b/u);
      expect(document.bestSignatureTime).toBe(document.timestamp?.genTime);
    });

    it('without the TSA CA\'s CRL the same evidence is not TOTAL-PASSED: the token cannot prove existence', async () => {
      const stripped = await withoutTsaCaCrls(dir);
      expect(stripped.removed).toBeGreaterThan(0);
      const { code, result } = await verifyAt(gw, zip, later, stripped.dir);
      expect(code).toBe(1);
      const document = reportOf(result, DOCUMENT_SIGNATURE);
      expect(document.indication).not.toBe('TOTAL-PASSED');
      expect(document.warnings.join(' ')).toMatch(/revocation status of the TSA certificate .* could not be/u);
    });
  });

  it('an uploaded container (no signature of the gateway\'s own) keeps the TSA CA\'s CRL too and verifies offline years later', async () => {
    const { bytes, messageId } = await packContainer(gw);
    const res = await upload(gw, bytes);
    expect(res.status, await res.clone().text()).toBe(202);
    const { zip, dir, evidence } = await downloadMessageEvidence(gw, { messageId, recipientToken: gw.token('gov-minprom'), senderToken: gw.token(DEMO.id), scratch });
    const signatures = [...new Set(evidence.filter((e) => e.kind === 'signature-timestamp' && e.receiptId === null).map((e) => e.path))];
    expect(signatures.sort()).toEqual([DOCUMENT_ENTRY, 'envelope.xml.p7s'].sort());
    for (const path of signatures) expect(evidence.filter((e) => e.kind === 'crl' && e.path === path && issuedByTsaCa(join(dir, e.file))).length, path).toBe(1);
    const later = new Date(gw.now.getTime() + 5 * YEAR_MS);
    const { code, result, stderr } = await verifyAt(gw, zip, later, dir);
    expect(code, JSON.stringify(result, null, 2) + stderr).toBe(0);
    // Here the detached tokens' evidence is the only place the TSA CA's CRL comes from.
    const stripped = await withoutTsaCaCrls(dir);
    const without = await verifyAt(gw, zip, later, stripped.dir);
    expect(without.code).toBe(1);
    for (const path of signatures) expect(reportOf(without.result, path).subIndication, path).toBe('TRY_LATER');
  });

  it('keeps the TSA CA\'s CRL in its cache once it has seen the TSA: later letters do not fetch it, and survive its distribution point going down', async () => {
    // The first token taught the gateway the TSA certificate; its CRL point joined the cache.
    await gw.refreshCrlCache();
    const tsaPoint = gw.ctx.crlCacheState?.().find((e) => e.url === `${srv.baseUrl}/tsa-pki/ca.crl`);
    expect(tsaPoint, JSON.stringify(gw.ctx.crlCacheState?.())).toMatchObject({ stale: false, lastError: null });
    const before = tsaCrl.hits;
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: sendForm(), headers: auth(gw.token(DEMO.id)) });
    expect(sent.status, await sent.clone().text()).toBe(202);
    expect(tsaCrl.hits).toBe(before);
    tsaCrl.down = true;
    try {
      const again = await gw.app.request('/api/v1/messages', { method: 'POST', body: sendForm(), headers: auth(gw.token(DEMO.id)) });
      expect(again.status, await again.clone().text()).toBe(202);
    } finally {
      tsaCrl.down = false;
    }
  });

  it('a gateway that has not seen the TSA, its CA\'s CRL unreachable: 503 TSA_UNAVAILABLE (TSA_REVOCATION_UNAVAILABLE), nothing stored', async () => {
    const fresh = await open(join(scratch, 'gw-fresh'));
    try {
      const messages = fresh.ctx.db.select().from(tables.messages).all().length;
      const rows = fresh.ctx.db.select().from(tables.messageEvidence).all().length;
      const blobs = await storedBlobs(fresh);
      tsaCrl.down = true;
      try {
        const before = tsaCrl.hits;
        const sent = await fresh.app.request('/api/v1/messages', { method: 'POST', body: sendForm(), headers: auth(fresh.token(DEMO.id)) });
        expect(sent.status).toBe(503);
        const err = (await sent.json()) as { code: string; message: string; details: { code: string } };
        expect(err.code).toBe('TSA_UNAVAILABLE');
        expect(err.details.code).toBe('TSA_REVOCATION_UNAVAILABLE');
        expect(err.message).toMatch(/revocation status of the TSA certificate .* could not be established/u);
        expect(tsaCrl.hits).toBeGreaterThan(before);
      } finally {
        tsaCrl.down = false;
      }
      expect(fresh.ctx.db.select().from(tables.messages).all().length).toBe(messages);
      expect(fresh.ctx.db.select().from(tables.messageEvidence).all().length).toBe(rows);
      expect(await storedBlobs(fresh)).toBe(blobs);
    } finally {
      fresh.close();
    }
  });

  describe('the TSA certificate revoked in its CA\'s CRL before the letter', () => {
    beforeAll(async () => {
      tsaCa.revoke(tsaCa.tsa);
      // The CA publishes a CRL with the revocation and the cache's next refresh fetches it
      // (until then the cached CRL, valid to its nextUpdate, is what the gateway knows).
      const refreshed = await gw.refreshCrlCache({ force: true });
      expect(refreshed.fetched).toContain(`${srv.baseUrl}/tsa-pki/ca.crl`);
    });

    it('a letter: 503 TSA_UNAVAILABLE naming the revocation, no message stored', async () => {
      const messages = gw.ctx.db.select().from(tables.messages).all().length;
      const rows = gw.ctx.db.select().from(tables.messageEvidence).all().length;
      const blobs = await storedBlobs(gw);
      const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: sendForm(), headers: auth(gw.token(DEMO.id)) });
      expect(sent.status).toBe(503);
      const err = (await sent.json()) as { code: string; message: string; details: { code: string } };
      expect(err.code).toBe('TSA_UNAVAILABLE');
      expect(err.details.code).toBe('TSA_REVOKED');
      expect(err.message).toMatch(/TSA_REVOKED: .*the TSA certificate .*CN=tsa\b.* was revoked at .* \(keyCompromise\)/u);
      expect(gw.ctx.db.select().from(tables.messages).all().length).toBe(messages);
      expect(gw.ctx.db.select().from(tables.messageEvidence).all().length).toBe(rows);
      expect(await storedBlobs(gw)).toBe(blobs);
    });

    it('an uploaded container: the same, nothing stored', async () => {
      const { bytes, messageId } = await packContainer(gw);
      const res = await upload(gw, bytes);
      expect(res.status).toBe(503);
      const err = (await res.json()) as { code: string; message: string; details: { code: string } };
      expect(err.code).toBe('TSA_UNAVAILABLE');
      expect(err.details.code).toBe('TSA_REVOKED');
      expect(err.message).toContain('was revoked');
      expect(gw.ctx.db.select().from(tables.messages).all().some((m) => m.id === messageId)).toBe(false);
      expect(gw.ctx.db.select().from(tables.messageEvidence).all().some((e) => e.messageId === messageId)).toBe(false);
    });
  });
});
