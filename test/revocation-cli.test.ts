/**
 * Revocation and CAdES-T through the `edx` CLI on a development PKI made by `edx pki init
 * --revocation-url … --services`, with independent components on loopback: CRLs served over HTTP,
 * a one-shot `openssl ocsp` responder reading an index.txt written from the issued certificates,
 * and an `openssl ts -reply` TSA. Signatures and tokens are cross-checked with openssl.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_PARTICIPANTS_FILE, issueCrl, loadDevParticipants, loadPrivateKeyPem, pemToDerList, type DevParticipant, type ValidationReport } from '../src/crypto/index.ts';
import { startLoopbackServer, type LoopbackServer } from '../src/crypto/revocation/test-support.ts';
import type { ContainerVerification } from '../src/letters/index.ts';
import { edx } from './helpers/cli.ts';
import { tool } from './helpers/tools.ts';

let dir: string;
let pki: string;
let server: LoopbackServer;
let sender: DevParticipant;
let recipient: DevParticipant;
let letter: string;
let container: string;
const state: { crl: Buffer | null; revokedAt: Date | null } = { crl: null, revokedAt: null };

const certOf = (id: string) => join(pki, `${id}.cert.pem`);
const keyOf = (id: string) => join(pki, `${id}.key.pem`);
const x509Time = (d: Date) => d.toISOString().replace(/[-:T]/gu, '').slice(2, 14) + 'Z';

/** openssl's CA database (index.txt) for the sender's certificate: V, or R with the revocation time. */
function writeIndex(): void {
  const cert = new X509Certificate(readFileSync(certOf(sender.id)));
  const status = state.revokedAt === null ? ['V', x509Time(new Date(cert.validTo)), ''] : ['R', x509Time(new Date(cert.validTo)), `${x509Time(state.revokedAt)},keyCompromise`];
  writeFileSync(join(dir, 'index.txt'), `${[...status, cert.serialNumber.toUpperCase(), 'unknown', '/CN=sender'].join('\t')}\n`);
}

function ocspRespond(request: Buffer): Buffer {
  writeIndex();
  const req = join(dir, 'ocsp.req');
  const resp = join(dir, 'ocsp.resp');
  writeFileSync(req, request);
  const r = tool('openssl', ['ocsp', '-index', join(dir, 'index.txt'), '-CA', join(pki, 'root.pem'), '-rsigner', join(pki, 'ocsp.cert.pem'), '-rkey', join(pki, 'ocsp.key.pem'), '-reqin', req, '-respout', resp, '-ndays', '1']);
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(resp);
}

function tsReply(query: Buffer): Buffer {
  const q = join(dir, 'ts.tsq');
  const out = join(dir, 'ts.tsr');
  writeFileSync(q, query);
  const r = tool('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-section', 'tsa_config', '-queryfile', q, '-signer', join(pki, 'tsa.cert.pem'), '-inkey', join(pki, 'tsa.key.pem'), '-out', out]);
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(out);
}

async function senderSerial(): Promise<string> {
  return new X509Certificate(await readFile(certOf(sender.id))).serialNumber;
}

async function revokedCrl(at: Date): Promise<string> {
  const key = loadPrivateKeyPem(await readFile(join(pki, 'root.key.pem')));
  if (!key.ok) throw new Error(key.error.message);
  const [root] = pemToDerList(await readFile(join(pki, 'root.pem')));
  if (root === undefined) throw new Error('no root');
  const now = new Date();
  const der = issueCrl({ issuer: { certificate: root, privateKey: key.value }, revoked: [{ serial: await senderSerial(), at, reason: 'keyCompromise' }], thisUpdate: new Date(now.getTime() - 60_000), nextUpdate: new Date(now.getTime() + 86_400_000), crlNumber: 2 });
  const path = join(dir, `revoked-${at.getTime()}.crl`);
  await writeFile(path, der);
  return path;
}

async function verify(path: string, extra: string[], now = new Date()): Promise<{ code: number; result: ContainerVerification; stderr: string }> {
  const run = await edx(['verify', path, '--qualified-trust', join(pki, 'root.pem'), '--json', ...extra], now);
  return { code: run.code, result: JSON.parse(run.stdout) as ContainerVerification, stderr: run.stderr };
}

const reports = (v: ContainerVerification): ValidationReport[] => v.signatures.flatMap((s) => s.reports);
const verdicts = (v: ContainerVerification) => [...new Set(reports(v).map((r) => `${r.indication}/${r.subIndication ?? ''}`))];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-revocation-cli-'));
  pki = join(dir, 'pki');
  server = await startLoopbackServer();
  server.handler = (path, body) => {
    if (path === '/crl.der') return state.crl === null ? { status: 404, body: Buffer.alloc(0) } : { status: 200, body: state.crl };
    if (path === '/ocsp') return { status: 200, body: ocspRespond(body), type: 'application/ocsp-response' };
    if (path === '/tsa') return { status: 200, body: tsReply(body), type: 'application/timestamp-reply' };
    return { status: 404, body: Buffer.alloc(0) };
  };
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [first, second] = participants.value;
  if (first === undefined || second === undefined) throw new Error('the demo directory needs two participants');
  sender = first;
  recipient = second;
  const init = await edx(['pki', 'init', '--dir', pki, '--revocation-url', server.baseUrl, '--services']);
  expect(init.code).toBe(0);
  expect(init.stdout).toContain('TSA:');
  await writeFile(join(dir, 'tsaserial'), '01\n');
  await writeFile(join(dir, 'tsa.cnf'), `[ tsa_config ]\nserial = ${join(dir, 'tsaserial')}\ncrypto_device = builtin\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = sha256\n`);
  letter = join(dir, 'letter.pdf');
  await writeFile(letter, Buffer.from('%PDF-1.7 a letter about revocation'));
  container = join(dir, 'letter.zip');
  const packed = await edx(packLetterArgs([], container));
  expect(packed.stderr).not.toMatch(/error|SIGNATURE_/iu);
  expect(packed.code).toBe(0);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function packLetterArgs(signatures: string[], out: string): string[] {
  return [
    'pack', '--from', sender.id, '--to', recipient.id, '--kind', 'letter', '--reg-number', '7/2026', '--reg-date', '2026-11-24',
    '--subject', 'revocation', '--signatory-name', 'Иванов Иван Иванович', '--signatory-position', 'Директор',
    '--file', letter, ...signatures.flatMap((s) => ['--signature', s]), '--key', keyOf(sender.id), '--cert', certOf(sender.id), '-o', out,
  ];
}

describe('edx pki init --revocation-url --services', () => {
  it('puts the CRL distribution point and OCSP URL into participant certificates, as openssl reads them', () => {
    const text = tool('openssl', ['x509', '-in', certOf(sender.id), '-noout', '-text']).stdout;
    expect(text).toContain(`URI:${server.baseUrl}/crl.der`);
    expect(text).toContain(`OCSP - URI:${server.baseUrl}/ocsp`);
    expect(tool('openssl', ['x509', '-in', join(pki, 'tsa.cert.pem'), '-noout', '-purpose']).stdout).toMatch(/Time Stamp signing : Yes/u);
    expect(tool('openssl', ['x509', '-in', join(pki, 'ocsp.cert.pem'), '-noout', '-purpose']).stdout).toMatch(/OCSP helper : Yes/u);
    const crl = tool('openssl', ['crl', '-in', join(pki, 'crl.pem'), '-CAfile', join(pki, 'root.pem'), '-noout', '-verify']);
    expect(crl.status).toBe(0);
    expect(crl.stderr).toContain('verify OK');
  });
});

describe('edx verify with revocation sources', () => {
  it('by default (no source) every signature is INDETERMINATE/TRY_LATER and the exit code is 1', async () => {
    const { code, result } = await verify(container, []);
    expect(verdicts(result)).toEqual(['INDETERMINATE/TRY_LATER']);
    expect(code).toBe(1);
  });

  it('--crl with the PKI CRL: TOTAL-PASSED, exit 0, the CRL is in revocationEvidence', async () => {
    const { code, result } = await verify(container, ['--crl', join(pki, 'crl.pem')]);
    expect(verdicts(result)).toEqual(['TOTAL-PASSED/']);
    expect(code).toBe(0);
    const [crlDer] = pemToDerList(await readFile(join(pki, 'crl.pem')), 'X509 CRL');
    for (const r of reports(result)) {
      expect(r.revocation.checked).toBe(true);
      expect(r.revocationEvidence.crls).toEqual([crlDer?.toString('base64')]);
    }
  });

  it('--ocsp --allow-host: fetched from the AIA responder (CRL point down), TOTAL-PASSED with the OCSP response as evidence', async () => {
    state.crl = null;
    state.revokedAt = null;
    const { code, result } = await verify(container, ['--ocsp', '--allow-host', `127.0.0.1:${server.port}`]);
    expect(verdicts(result)).toEqual(['TOTAL-PASSED/']);
    expect(code).toBe(0);
    for (const r of reports(result)) {
      expect(r.revocationEvidence.ocsp).toHaveLength(1);
      expect(r.revocation.note).toContain(`OCSP ${server.baseUrl}/ocsp`);
    }
  });

  it('--ocsp against a host that is not allowed contacts nothing and says TRY_LATER', async () => {
    const { code, result } = await verify(container, ['--ocsp', '--allow-host', 'ocsp.example']);
    expect(verdicts(result)).toEqual(['INDETERMINATE/TRY_LATER']);
    expect(code).toBe(1);
  });

  it('--ocsp without --allow-host is a usage error', async () => {
    const run = await edx(['verify', container, '--qualified-trust', join(pki, 'root.pem'), '--ocsp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--allow-host');
  });

  it('a CRL revoking the sender: INDETERMINATE/REVOKED_NO_POE, exit 1; the human output names it', async () => {
    const crl = await revokedCrl(new Date(Date.now() - 3_600_000));
    const { code, result } = await verify(container, ['--crl', crl]);
    expect(verdicts(result)).toEqual(['INDETERMINATE/REVOKED_NO_POE']);
    expect(code).toBe(1);
    const human = await edx(['verify', container, '--qualified-trust', join(pki, 'root.pem'), '--crl', crl]);
    expect(human.stdout).toContain('INDETERMINATE / REVOKED_NO_POE');
    expect(human.stdout).toMatch(/signing certificate .* was revoked at/u);
  });

  it('OCSP saying revoked: REVOKED_NO_POE', async () => {
    state.revokedAt = new Date(Date.now() - 3_600_000);
    const { result } = await verify(container, ['--ocsp', '--allow-host', `127.0.0.1:${server.port}`]);
    state.revokedAt = null;
    expect(verdicts(result)).toEqual(['INDETERMINATE/REVOKED_NO_POE']);
  });
});

describe('edx timestamp: CAdES-T made from an openssl signature, verified by openssl and by edx verify', () => {
  let stamped: string;
  let genTime: Date;
  beforeAll(async () => {
    const sig = join(dir, 'plain.p7s');
    const r = tool('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', 'sha256', '-in', letter, '-signer', certOf(sender.id), '-inkey', keyOf(sender.id), '-out', sig]);
    expect(r.status).toBe(0);
    stamped = join(dir, 'letter.pdf.p7s');
    const run = await edx(['timestamp', '--for', sig, '--tsa', `${server.baseUrl}/tsa`, '--tsa-trust', join(pki, 'root.pem'), '--allow-host', `127.0.0.1:${server.port}`, '-o', stamped]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    genTime = new Date(/time-stamped at (\S+)/u.exec(run.stdout)?.[1] ?? '');
  });

  it('openssl cms -verify -cades still accepts the signature', () => {
    const r = tool('openssl', ['cms', '-verify', '-cades', '-binary', '-inform', 'DER', '-in', stamped, '-content', letter, '-CAfile', join(pki, 'root.pem'), '-purpose', 'any', '-out', '/dev/null']);
    expect(r.stderr).toContain('Verification successful');
    expect(r.status).toBe(0);
  });

  it('a TSA host outside --allow-host is refused before any request', async () => {
    const run = await edx(['timestamp', '--for', stamped, '--tsa', `${server.baseUrl}/tsa`, '--tsa-trust', join(pki, 'root.pem'), '--allow-host', 'tsa.example', '-o', join(dir, 'never.p7s')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('NOT_ALLOWED');
  });

  it('packed as the document signature: the report shows the time-stamp; revoked after genTime, it still passes, the envelope signature does not', async () => {
    const out = join(dir, 'stamped.zip');
    const packed = await edx(packLetterArgs([stamped], out));
    expect(packed.code).toBe(0);
    const ok = await verify(out, ['--crl', join(pki, 'crl.pem')]);
    expect(verdicts(ok.result)).toEqual(['TOTAL-PASSED/']);
    const doc = ok.result.signatures.find((s) => s.role === 'document')?.reports[0];
    expect(doc?.timestamp?.genTime).toBe(genTime.toISOString());
    expect(doc?.bestSignatureTime).toBe(genTime.toISOString());
    expect(doc?.timestamp?.tsa).toMatch(/development TSA/u);

    // Revoked one minute after the time-stamp, validated an hour later.
    const crl = await revokedCrl(new Date(genTime.getTime() + 60_000));
    const later = await verify(out, ['--crl', crl], new Date(Date.now() + 3_600_000));
    const byRole = Object.fromEntries(later.result.signatures.map((s) => [s.role, s.reports[0]]));
    expect(byRole.document?.indication).toBe('TOTAL-PASSED');
    expect(byRole.document?.warnings.join(' ')).toMatch(/after the best signature time/u);
    expect([byRole.transport?.indication, byRole.transport?.subIndication]).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(later.code).toBe(1);
  });

  it('--tsa-trust with another anchor: the time-stamp does not verify (SIG_CONSTRAINTS_FAILURE)', async () => {
    const out = join(dir, 'stamped.zip');
    const other = join(dir, 'other-pki');
    expect((await edx(['pki', 'init', '--dir', other])).code).toBe(0);
    const { result } = await verify(out, ['--crl', join(pki, 'crl.pem'), '--tsa-trust', join(other, 'root.pem')]);
    const doc = result.signatures.find((s) => s.role === 'document')?.reports[0];
    expect([doc?.indication, doc?.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
  });
});
