/**
 * Evidence that verifies years later, offline (issue 5, point 3 "Long-term"): a gateway with a TSA
 * and revocation required accepts a letter; its container and the evidence stored with it (CRLs,
 * the detached time-stamp of the signatory's .p7s, the gateway's own signature carrying its token
 * embedded) are downloaded through the API and verified with `edx verify` with the clock five
 * years ahead — every certificate long expired, every CRL long past nextUpdate, no network.
 * Real components: `openssl ca -gencrl`, `openssl ts -reply` behind a loopback HTTP server.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpensslPki, issueOrganisationSigner, openssl, startLoopbackServer, type Identity, type LoopbackServer, type OpensslPki } from '../src/crypto/revocation/test-support.ts';
import { edx } from './helpers/cli.ts';
import { auth, letterForm } from './helpers/gateway.ts';
import { downloadMessageEvidence, openEvidenceGateway, reportOf, type EvidenceGateway, type VerifiedContainer } from './helpers/stored-evidence.ts';

const YEAR_MS = 365 * 86_400_000;
const DEMO = { id: 'demo-refinery', ogrn: '1025900000015', inn: '5904000010' };
const FILE = Buffer.from('%PDF-1.7\nsigned by the signatory, to be read in five years\n');
const DOCUMENT_SIGNATURE = 'Письмо.pdf.p7s';

let srv: LoopbackServer;
let pki: OpensslPki;
let scratch: string;
let signer: Identity;

type Opened = EvidenceGateway;




function issueSignatory(name: string): Identity {
  return issueOrganisationSigner(pki, name, { name: 'Demo Refinery', ogrn: DEMO.ogrn, inn: DEMO.inn });
}

function open(dataDir: string, tsa: boolean): Promise<Opened> {
  return openEvidenceGateway({
    dataDir,
    ...(tsa ? { tsa: { url: `${srv.baseUrl}/tsa`, anchor: pki.ca.der, label: 'test TSA CA' } } : {}),
    signersCaPem: readFileSync(pki.ca.certPath),
    signatoryCertPem: readFileSync(signer.certPath),
    participantId: DEMO.id,
  });
}

/** Sends a letter with the signatory's openssl-made .p7s; returns the message id. */
async function send(gw: Opened): Promise<string> {
  const file = join(scratch, `${randomUUID()}.pdf`);
  await writeFile(file, FILE);
  const p7s = openssl(['cms', '-sign', '-binary', '-cades', '-md', 'sha256', '-outform', 'DER', '-nosmimecap', '-in', file, '-signer', signer.certPath, '-inkey', signer.keyPath]);
  const form = letterForm({ to: ['gov-minprom'], files: [{ name: 'Письмо.pdf', bytes: FILE, type: 'application/pdf' }], signatures: [{ name: DOCUMENT_SIGNATURE, bytes: p7s }] });
  const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: form, headers: auth(gw.token(DEMO.id)) });
  expect(sent.status, await sent.clone().text()).toBe(202);
  return ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
}


/** A directory holding only the files of `from` whose name passes `keep`. */
async function subset(from: string, names: readonly string[], keep: (name: string) => boolean): Promise<string> {
  const dir = join(scratch, randomUUID());
  await mkdir(dir);
  for (const n of names.filter(keep)) await copyFile(join(from, n), join(dir, n));
  return dir;
}

async function verifyAt(gw: Opened, zip: string, now: Date, extra: readonly string[]): Promise<{ code: number; result: VerifiedContainer; stderr: string }> {
  const run = await edx(['verify', zip, '--trust', pki.ca.certPath, '--trust', join(gw.paths.pki, 'root.pem'), ...extra, '--json'], now);
  return { code: run.code, result: JSON.parse(run.stdout) as VerifiedContainer, stderr: run.stderr };
}


beforeAll(async () => {
  srv = await startLoopbackServer();
  pki = createOpensslPki(srv.baseUrl);
  srv.handler = (path, body) => {
    if (path === '/ca.crl') return { status: 200, body: pki.gencrl(), type: 'application/pkix-crl' };
    if (path === '/ocsp') return { status: 200, body: pki.ocspRespond(body), type: 'application/ocsp-response' };
    if (path === '/tsa') return { status: 200, body: pki.tsReply(body), type: 'application/timestamp-reply' };
    return { status: 404, body: Buffer.alloc(0) };
  };
  scratch = await mkdtemp(join(tmpdir(), 'edx-long-term-'));
  signer = issueSignatory('Sidorov');
});
afterAll(async () => {
  await srv.close();
  pki.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('a letter accepted with a TSA, verified offline five years later', () => {
  let gw: Opened;
  let zip: string;
  let dir: string;
  let names: string[];
  let later: Date;
  beforeAll(async () => {
    gw = await open(join(scratch, 'gw-tsa'), true);
    const id = await send(gw);
    ({ zip, dir } = await downloadMessageEvidence(gw, { messageId: id, recipientToken: gw.token('gov-minprom'), senderToken: gw.token(DEMO.id), scratch }));
    names = (await readdir(dir)).sort();
    later = new Date(gw.now.getTime() + 5 * YEAR_MS);
  });
  afterAll(() => gw.close());

  it('downloads CRLs and time-stamp tokens under names edx verify --evidence reads', () => {
    expect(names.some((n) => n.endsWith('.crl'))).toBe(true);
    expect(names.some((n) => n.endsWith('.tst'))).toBe(true);
  });

  it('with the stored tokens and CRLs: TOTAL-PASSED, judged at the time-stamps (certificates expired, CRLs past nextUpdate)', async () => {
    const { code, result, stderr } = await verifyAt(gw, zip, later, ['--evidence', dir]);
    expect(code, JSON.stringify(result, null, 2) + stderr).toBe(0);
    expect(result.passed).toBe(true);
    const document = reportOf(result, DOCUMENT_SIGNATURE);
    const transport = reportOf(result, 'envelope.xml.p7s');
    for (const r of [document, transport]) {
      expect(r.indication).toBe('TOTAL-PASSED');
      expect(r.validationTime).toBe(later.toISOString());
      expect(r.bestSignatureTime).toBe(r.timestamp?.genTime);
      expect(new Date(r.bestSignatureTime).getTime()).toBeLessThan(gw.now.getTime() + 3_600_000);
    }
    // The signatory's .p7s stays as it was sent: its token is the one kept beside it.
    expect(document.timestamp?.detached).toBe(true);
    // The gateway's own transport signature carries its token inside.
    expect(transport.timestamp?.detached).toBe(false);
    // The accepted receipt's token covers no signature of the letter: ignored, with a warning.
    expect(document.warnings.join(' ')).toMatch(/cover no signature of this container/u);
  });

  it('the same with --crl and --timestamp-token instead of --evidence', async () => {
    const crls = names.filter((n) => n.endsWith('.crl')).flatMap((n) => ['--crl', join(dir, n)]);
    const tokens = names.filter((n) => n.endsWith('.tst')).flatMap((n) => ['--timestamp-token', join(dir, n)]);
    const { code } = await verifyAt(gw, zip, later, [...crls, ...tokens]);
    expect(code).toBe(0);
  });

  it('without the detached tokens: the signatory signature has no proof of existence before its certificate expired', async () => {
    const crlsOnly = await subset(dir, names, (n) => !n.endsWith('.tst'));
    const { code, result } = await verifyAt(gw, zip, later, ['--evidence', crlsOnly]);
    expect(code).toBe(1);
    const document = reportOf(result, DOCUMENT_SIGNATURE);
    expect([document.indication, document.subIndication]).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
    expect(document.timestamp).toBeNull();
    // The embedded token still travels with the gateway's signature.
    expect(reportOf(result, 'envelope.xml.p7s').indication).toBe('TOTAL-PASSED');
  });

  it('without the CRLs: INDETERMINATE/TRY_LATER for both, never a pass', async () => {
    const tokensOnly = await subset(dir, names, (n) => n.endsWith('.tst'));
    const { code, result } = await verifyAt(gw, zip, later, ['--evidence', tokensOnly]);
    expect(code).toBe(1);
    for (const path of [DOCUMENT_SIGNATURE, 'envelope.xml.p7s']) {
      const r = reportOf(result, path);
      expect([r.indication, r.subIndication], path).toEqual(['INDETERMINATE', 'TRY_LATER']);
      expect(r.warnings.join(' ')).toMatch(/revocation status of the TSA certificate .* could not be checked/u);
    }
  });

  it('on the day of acceptance the same evidence verifies too', async () => {
    const { code } = await verifyAt(gw, zip, gw.now, ['--evidence', dir]);
    expect(code).toBe(0);
  });
});

describe('a letter accepted without a TSA, verified five years later', () => {
  it('has no proof of existence: the expired certificates make it INDETERMINATE/OUT_OF_BOUNDS_NO_POE despite the CRLs', async () => {
    const gw = await open(join(scratch, 'gw-plain'), false);
    try {
      const id = await send(gw);
      const { zip, dir } = await downloadMessageEvidence(gw, { messageId: id, recipientToken: gw.token('gov-minprom'), senderToken: gw.token(DEMO.id), scratch });
      const { code, result } = await verifyAt(gw, zip, new Date(gw.now.getTime() + 5 * YEAR_MS), ['--evidence', dir]);
      expect(code).toBe(1);
      for (const path of [DOCUMENT_SIGNATURE, 'envelope.xml.p7s']) {
        const r = reportOf(result, path);
        expect([r.indication, r.subIndication], path).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
      }
      // Today the same letter and evidence pass.
      expect((await verifyAt(gw, zip, gw.now, ['--evidence', dir])).code).toBe(0);
    } finally {
      gw.close();
    }
  });
});
