import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOcspRequest } from '../revocation/ocsp.ts';
import { createOpensslPki, openssl, type OpensslPki } from '../revocation/test-support.ts';
import { classifyEvidence } from './evidence-kind.ts';

let pki: OpensslPki;
beforeAll(() => {
  pki = createOpensslPki('http://127.0.0.1:9');
});
afterAll(() => pki.cleanup());

describe('classifyEvidence', () => {
  it('recognises a CRL, an OCSP response and a time-stamp token made by openssl, whatever the file name', () => {
    expect(classifyEvidence(pki.gencrl())).toBe('crl');

    const request = buildOcspRequest({ certificate: pki.good.der, issuer: pki.ca.der });
    if (!request.ok) throw new Error(request.error.message);
    expect(classifyEvidence(pki.ocspRespond(request.value))).toBe('ocsp');

    const query = join(pki.dir, 'k.tsq');
    openssl(['ts', '-query', '-digest', createHash('sha256').update('x').digest('hex'), '-sha256', '-cert', '-out', query]);
    const reply = pki.tsReply(readFileSync(query));
    const tokenPath = join(pki.dir, 'k.tst');
    const replyPath = join(pki.dir, 'k.tsr');
    writeFileSync(replyPath, reply);
    openssl(['ts', '-reply', '-in', replyPath, '-token_out', '-out', tokenPath]);
    expect(classifyEvidence(readFileSync(tokenPath))).toBe('signature-timestamp');
    // The whole TimeStampResp is not a token.
    expect(classifyEvidence(reply)).toBeNull();
  });

  it('refuses a certificate, a CMS signature that is no time-stamp, and junk', () => {
    expect(classifyEvidence(pki.good.der)).toBeNull();
    const data = join(pki.dir, 'd.bin');
    writeFileSync(data, 'data');
    const sig = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', data, '-signer', pki.good.certPath, '-inkey', pki.good.keyPath]);
    expect(classifyEvidence(sig)).toBeNull();
    expect(classifyEvidence(Buffer.from('not der'))).toBeNull();
    expect(classifyEvidence(Buffer.of(0x30, 0x05, 0x01))).toBeNull();
  });
});
