/**
 * Test-only helper (not exported from index.ts): a PKI run by the openssl CLI (`openssl ca` with an
 * index.txt database, `-gencrl`, one-shot `openssl ocsp` responses, `openssl ts -reply`), and a
 * loopback HTTP server that puts them behind URLs, as independent components for the tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemToDerList } from '../pem.ts';

export function openssl(args: readonly string[], cwd?: string): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
}

export interface Identity {
  certPath: string;
  keyPath: string;
  /** DER. */
  der: Buffer;
}

export interface OpensslPki {
  dir: string;
  ca: Identity;
  /** Same subject name as `ca`, different key: its CRLs carry a bad signature for `ca`'s certificates. */
  impostor: Identity;
  good: Identity;
  revoked: Identity;
  /** Signed by the CA but not recorded in index.txt: `openssl ocsp` answers `unknown`. */
  notInIndex: Identity;
  /** Delegated OCSP responder with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1), as responders usually are. */
  ocspResponder: Identity;
  /** Delegated OCSP responder without id-pkix-ocsp-nocheck: its own revocation is checked, from `${baseUrl}/responder.crl`. */
  checkedResponder: Identity;
  /** Issued by the CA but without id-kp-OCSPSigning. */
  rogueResponder: Identity;
  tsa: Identity;
  /** TSA certificate whose EKU is clientAuth, not timeStamping. */
  tsaNoEku: Identity;
  /** Marks `revoked` as revoked (keyCompromise) in index.txt, now. */
  revoke(identity: Identity): void;
  /**
   * Records a revocation at a chosen time by editing index.txt (openssl ca -revoke only knows
   * "now"), so tests can place it after a time-stamp without waiting.
   */
  revokeAt(identity: Identity, at: Date, reason?: string): void;
  /** `openssl ca -gencrl` (DER); `impostor` signs with the impostor key. */
  gencrl(options?: { hours?: number; impostor?: boolean }): Buffer;
  /** One-shot `openssl ocsp` responder over `requestDer`. */
  ocspRespond(requestDer: Buffer, options?: { signer?: 'responder' | 'checked' | 'rogue' | 'ca'; nmin?: number }): Buffer;
  /** `openssl ts -reply` over a DER TimeStampReq; returns the DER TimeStampResp. */
  tsReply(queryDer: Buffer, options?: { signer?: 'tsa' }): Buffer;
  cleanup(): void;
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function caConfig(dir: string, baseUrl: string): string {
  return `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
[ dn ]
[ leaf_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:${baseUrl}/ca.crl
authorityInfoAccess = OCSP;URI:${baseUrl}/ocsp
[ ocsp_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
[ ocsp_checked_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
crlDistributionPoints = URI:${baseUrl}/responder.crl
[ rogue_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
crlDistributionPoints = URI:${baseUrl}/ca.crl
authorityInfoAccess = OCSP;URI:${baseUrl}/ocsp
[ tsa_noeku_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

function der(path: string): Buffer {
  const first = pemToDerList(readFileSync(path))[0];
  if (first === undefined) throw new Error(`no certificate in ${path}`);
  return first;
}

/**
 * A signatory of an organisation, certified by `pki`'s CA through `openssl ca` (so it is in the
 * CA's index: its CRLs and OCSP answers know it), with the organisation's OGRN and INN in the
 * subject as the Russian qualified profile puts them.
 */
export function issueOrganisationSigner(pki: OpensslPki, name: string, org: { name: string; ogrn: string; inn: string }): Identity {
  const key = join(pki.dir, `${name}.key`);
  const csr = join(pki.dir, `${name}.csr`);
  const cert = join(pki.dir, `${name}.pem`);
  const cnf = join(pki.dir, 'ca.cnf');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-config', cnf,
    '-subj', `/O=${org.name}/CN=${name}/OGRN=${org.ogrn}/INN=${org.inn}`]);
  openssl(['ca', '-batch', '-config', cnf, '-preserveDN', '-extensions', 'leaf_ext', '-notext', '-in', csr, '-out', cert]);
  const der = pemToDerList(openssl(['x509', '-in', cert]))[0];
  if (der === undefined) throw new Error('no certificate');
  return { certPath: cert, keyPath: key, der };
}

/** Builds the PKI; certificates name `${baseUrl}/ca.crl` and `${baseUrl}/ocsp`. About a second of openssl work. */
/** `caName`: the CA's common name, so two PKIs of one test have distinct issuer names. */
export function createOpensslPki(baseUrl: string, options: { caName?: string } = {}): OpensslPki {
  const dir = mkdtempSync(join(tmpdir(), 'edx-revocation-pki-'));
  const impDir = join(dir, 'impostor');
  for (const d of [dir, impDir]) {
    mkdirSync(join(d, 'newcerts'), { recursive: true });
    writeFileSync(join(d, 'index.txt'), '');
    writeFileSync(join(d, 'serial'), '1000\n');
    writeFileSync(join(d, 'crlnumber'), '01\n');
    writeFileSync(join(d, 'ca.cnf'), caConfig(d, baseUrl));
  }
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  const cnf = join(dir, 'ca.cnf');
  const makeCa = (d: string): Identity => {
    openssl(['req', '-x509', ...P256, '-keyout', join(d, 'ca.key'), '-out', join(d, 'ca.pem'), '-days', '365', '-subj', `/O=Revocation Test/CN=${options.caName ?? 'Test Revocation CA'}`, '-config', join(d, 'ca.cnf'),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return { certPath: join(d, 'ca.pem'), keyPath: join(d, 'ca.key'), der: der(join(d, 'ca.pem')) };
  };
  const ca = makeCa(dir);
  const impostor = makeCa(impDir);
  const issue = (name: string, ext: string, viaCa = true): Identity => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.pem`);
    openssl(['req', '-new', ...P256, '-keyout', key, '-out', csr, '-subj', `/O=Revocation Test/CN=${name}`, '-config', cnf]);
    if (viaCa) openssl(['ca', '-batch', '-config', cnf, '-extensions', ext, '-notext', '-in', csr, '-out', cert]);
    else openssl(['x509', '-req', '-in', csr, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-set_serial', '0x7777', '-days', '30', '-sha256', '-extfile', cnf, '-extensions', ext, '-out', cert]);
    return { certPath: cert, keyPath: key, der: der(cert) };
  };
  const pki: OpensslPki = {
    dir,
    ca,
    impostor,
    good: issue('good', 'leaf_ext'),
    revoked: issue('revoked', 'leaf_ext'),
    notInIndex: issue('not-in-index', 'leaf_ext', false),
    ocspResponder: issue('ocsp-responder', 'ocsp_ext'),
    checkedResponder: issue('checked-responder', 'ocsp_checked_ext'),
    rogueResponder: issue('rogue-responder', 'rogue_ext'),
    tsa: issue('tsa', 'tsa_ext'),
    tsaNoEku: issue('tsa-no-eku', 'tsa_noeku_ext'),
    revoke(identity) {
      openssl(['ca', '-batch', '-config', cnf, '-revoke', identity.certPath, '-crl_reason', 'keyCompromise']);
    },
    revokeAt(identity, at, reason = 'keyCompromise') {
      const serial = openssl(['x509', '-noout', '-serial', '-in', identity.certPath]).toString().trim().replace(/^serial=/u, '').toUpperCase();
      const index = join(dir, 'index.txt');
      const stamp = at.toISOString().replace(/[-:T]/gu, '').slice(2, 14) + 'Z';
      const lines = readFileSync(index, 'utf8').split('\n').map((line) => {
        const f = line.split('\t');
        if (f[3]?.toUpperCase() !== serial) return line;
        return ['R', f[1] ?? '', `${stamp},${reason}`, ...f.slice(3)].join('\t');
      });
      writeFileSync(index, lines.join('\n'));
    },
    gencrl(options = {}) {
      const d = options.impostor === true ? impDir : dir;
      const out = join(d, 'crl.pem');
      openssl(['ca', '-batch', '-config', join(d, 'ca.cnf'), '-gencrl', ...(options.hours === undefined ? [] : ['-crlhours', String(options.hours)]), '-out', out]);
      return openssl(['crl', '-in', out, '-outform', 'DER']);
    },
    ocspRespond(requestDer, options = {}) {
      const signer = options.signer === 'rogue' ? pki.rogueResponder : options.signer === 'ca' ? ca : options.signer === 'checked' ? pki.checkedResponder : pki.ocspResponder;
      const reqPath = join(dir, 'ocsp-req.der');
      const respPath = join(dir, 'ocsp-resp.der');
      writeFileSync(reqPath, requestDer);
      openssl(['ocsp', '-index', join(dir, 'index.txt'), '-rsigner', signer.certPath, '-rkey', signer.keyPath, '-CA', ca.certPath,
        '-reqin', reqPath, '-respout', respPath, ...(options.nmin === undefined ? ['-ndays', '1'] : ['-nmin', String(options.nmin)])]);
      return readFileSync(respPath);
    },
    tsReply(queryDer) {
      const q = join(dir, 'q.tsq');
      const r = join(dir, 'r.tsr');
      writeFileSync(q, queryDer);
      openssl(['ts', '-reply', '-config', cnf, '-section', 'tsa_config', '-queryfile', q, '-signer', pki.tsa.certPath, '-inkey', pki.tsa.keyPath, '-out', r]);
      return readFileSync(r);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pki;
}

export type Handler = (path: string, body: Buffer) => { status: number; body: Buffer; type?: string };

export interface LoopbackServer {
  baseUrl: string;
  host: string;
  port: number;
  /** Replaced by the tests to change how the server answers. */
  handler: Handler;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an OS-assigned port. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const state: { handler: Handler } = { handler: () => ({ status: 404, body: Buffer.alloc(0) }) };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const out = state.handler(req.url ?? '/', Buffer.concat(chunks));
        res.writeHead(out.status, { 'content-type': out.type ?? 'application/octet-stream', 'content-length': out.body.length });
        res.end(out.body);
      } catch (error) {
        res.writeHead(500);
        res.end(error instanceof Error ? error.message : String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
