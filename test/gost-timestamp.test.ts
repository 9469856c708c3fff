/**
 * End to end: a GOST time-stamping authority made by OpenSSL's GOST engine (TC26 256-A key,
 * certificate with a critical timeStamping EKU, `openssl ts -reply -engine gost` signing with
 * GOST R 34.10-2012 over Streebog-256) answering on loopback; our request and verification code
 * (src/crypto/timestamp) asks it for a token over a Streebog-256 imprint and accepts the token
 * on its GOST signature. `openssl ts -verify -engine gost` is the independent second opinion.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streebog } from '../src/crypto/gost/index.ts';
import { pemToDerList } from '../src/crypto/pem.ts';
import { startLoopbackServer, type LoopbackServer } from '../src/crypto/revocation/test-support.ts';
import { requestTimestamp, verifyTimestampToken } from '../src/crypto/timestamp/index.ts';

function openssl(args: readonly string[], cwd: string): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

const TSA_CONFIG = `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ./tsaserial
crypto_device = builtin
signer_digest = md_gost12_256
default_policy = 1.2.643.100.777.1
other_policies = 1.2.643.100.777.2
digests = md_gost12_256, md_gost12_512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = md_gost12_256
`;

/** OpenSSL configuration making the GOST engine the default for every algorithm. */
const ENGINE_CONFIG = `openssl_conf = openssl_init
[ openssl_init ]
engines = engine_section
[ engine_section ]
gost = gost_section
[ gost_section ]
engine_id = gost
default_algorithms = ALL
`;

const TSA_EXT = `basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

/** A GOST CA and TSA (TC26 256-A), made by the engine in `dir`. */
function makeGostTsa(dir: string): { caDer: Buffer; tsaDer: Buffer } {
  const genkey = (out: string): Buffer => openssl(['genpkey', '-engine', 'gost', '-algorithm', 'gost2012_256', '-pkeyopt', 'paramset:A', '-out', out], dir);
  genkey('ca.key');
  openssl(['req', '-engine', 'gost', '-new', '-x509', '-key', 'ca.key', '-md_gost12_256', '-subj', '/C=RU/O=GOST TSA test/CN=GOST TSA test CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem'], dir);
  genkey('tsa.key');
  openssl(['req', '-engine', 'gost', '-new', '-key', 'tsa.key', '-md_gost12_256', '-subj', '/C=RU/O=GOST TSA test/CN=GOST TSA', '-out', 'tsa.csr'], dir);
  writeFileSync(join(dir, 'tsa.ext'), TSA_EXT);
  openssl(['x509', '-engine', 'gost', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x4711', '-md_gost12_256', '-days', '10',
    '-extfile', 'tsa.ext', '-out', 'tsa.pem'], dir);
  writeFileSync(join(dir, 'ts.cnf'), TSA_CONFIG);
  writeFileSync(join(dir, 'engine.cnf'), ENGINE_CONFIG);
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  const der = (file: string): Buffer => {
    const first = pemToDerList(readFileSync(join(dir, file)))[0];
    if (first === undefined) throw new Error(`no certificate in ${file}`);
    return first;
  };
  return { caDer: der('ca.pem'), tsaDer: der('tsa.pem') };
}

describe('RFC 3161 time-stamp from a GOST TSA (openssl ts -reply -engine gost) on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edx-gost-tsa-'));
  let server: LoopbackServer;
  let pki: { caDer: Buffer; tsaDer: Buffer };
  const signatureValue = Buffer.from('a GOST CMS SignerInfo signature value');
  const digest = streebog(256, signatureValue);
  const nonce = Buffer.from('fedcba9876543210');
  let token: Buffer;
  const anchors = (): Array<{ certificate: Buffer; qualified: boolean; label: string }> => [{ certificate: pki.caDer, qualified: false, label: 'GOST TSA test CA' }];

  beforeAll(async () => {
    pki = makeGostTsa(dir);
    server = await startLoopbackServer();
    server.handler = (path, body) => {
      if (path !== '/tsa') return { status: 404, body: Buffer.alloc(0) };
      writeFileSync(join(dir, 'q.tsq'), body);
      openssl(['ts', '-engine', 'gost', '-reply', '-config', 'ts.cnf', '-section', 'tsa_config', '-queryfile', 'q.tsq', '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-out', 'r.tsr'], dir);
      return { status: 200, body: readFileSync(join(dir, 'r.tsr')), type: 'application/timestamp-reply' };
    };
    const r = await requestTimestamp({ tsaUrl: `${server.baseUrl}/tsa`, digest, digestAlgorithm: 'streebog-256', nonce, fetch, timeoutMs: 20_000 });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    token = r.value;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * `openssl ts -verify` with the engine as the default for all algorithms through a config
   * file: with `-engine gost` alone, OpenSSL 3.0 cannot decode the GOST public keys while it
   * builds the certificate chain ("X509_PUBKEY_get0: decode error").
   */
  const opensslVerify = (tokenDer: Buffer, imprintHex: string): boolean => {
    writeFileSync(join(dir, 'token.der'), tokenDer);
    const env = { ...process.env, OPENSSL_CONF: join(dir, 'engine.cnf') };
    return spawnSync('openssl', ['ts', '-verify', '-digest', imprintHex, '-token_in', '-in', 'token.der', '-CAfile', 'ca.pem'], { cwd: dir, env, stdio: 'pipe' }).status === 0;
  };

  it('the token is signed with GOST R 34.10-2012 (256) over Streebog-256, by the engine', () => {
    writeFileSync(join(dir, 'token-print.der'), token);
    const text = openssl(['cms', '-engine', 'gost', '-cmsout', '-print', '-inform', 'DER', '-in', 'token-print.der'], dir).toString();
    // id-tc26-gost3411-12-256 digest, id-tc26-signwithdigest-gost3410-12-256 (or the key OID).
    expect(text).toMatch(/1\.2\.643\.7\.1\.1\.2\.2|md_gost12_256|GOST R 34\.11-2012 with 256 bit hash/u);
    expect(text).toMatch(/1\.2\.643\.7\.1\.1\.(3\.2|1\.1)|GOST R 34\.10-2012 with 256 bit modulus|GOST R 34\.10-2012 with GOST R 34\.11-2012 \(256 bit\)/u);
  });

  it('our verifier accepts the token on its GOST signature, and openssl ts -verify -engine gost agrees', () => {
    const v = verifyTimestampToken({ tokenDer: token, expectedImprint: digest, digestAlgorithm: 'streebog-256', trustAnchors: anchors(), now: new Date(), expectedNonce: nonce });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.tsaCertificate?.equals(pki.tsaDer)).toBe(true);
    expect(v.policy).toBe('1.2.643.100.777.1');
    expect(v.trustAnchor).toBe('GOST TSA test CA');
    expect(opensslVerify(token, digest.toString('hex'))).toBe(true);
  });

  it('a token whose GOST signature is altered is refused (by us and by openssl)', () => {
    // The SignerInfo signature is the last OCTET STRING of the token: flip a bit inside s || r.
    const tampered = Buffer.from(token);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 0x01;
    const v = verifyTimestampToken({ tokenDer: tampered, expectedImprint: digest, digestAlgorithm: 'streebog-256', trustAnchors: anchors(), now: new Date() });
    expect(v.ok).toBe(false);
    expect(v.problems.join(' ')).toMatch(/signature/u);
    expect(opensslVerify(tampered, digest.toString('hex'))).toBe(false);
  });

  it('the token does not cover another imprint, and a Streebog-512 expectation is refused', () => {
    const other = streebog(256, Buffer.from('another signature value'));
    const v = verifyTimestampToken({ tokenDer: token, expectedImprint: other, digestAlgorithm: 'streebog-256', trustAnchors: anchors(), now: new Date() });
    expect(v.ok).toBe(false);
    expect(v.problems.join(' ')).toMatch(/imprint/u);
    const v512 = verifyTimestampToken({ tokenDer: token, expectedImprint: streebog(512, signatureValue), digestAlgorithm: 'streebog-512', trustAnchors: anchors(), now: new Date() });
    expect(v512.ok).toBe(false);
  });
});
