/**
 * Test support (not exported from the folder's index): keys and CA certificates made by the
 * openssl CLI, TS 119 612 lists written as text, and signatures made by xmlsec1 — independent
 * of the code under test.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_STATUS_GRANTED, SERVICE_TYPE_CA_QC } from './parse-trusted-list.ts';

export interface TestKey {
  keyPath: string;
  certPath: string;
  der: Buffer;
  fingerprint: string;
}

export interface Scratch {
  dir: string;
  /** A fresh key and certificate (self-signed; a CA when `ca`). */
  key(name: string, kind: 'rsa' | 'ec', ca?: boolean): TestKey;
  write(name: string, content: string | Uint8Array): string;
  dispose(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'edx-tl-'));
  let n = 0;
  return {
    dir,
    key(name, kind, ca = false) {
      n += 1;
      const keyPath = join(dir, `k${n}.pem`);
      const certPath = join(dir, `c${n}.pem`);
      const alg = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
      const ext = ca
        ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']
        : ['-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature'];
      execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${name}/C=SE`, '-days', '3650', ...ext], { stdio: 'pipe' });
      const cert = new X509Certificate(readFileSync(certPath));
      return { keyPath, certPath, der: cert.raw, fingerprint: cert.fingerprint256.replace(/:/gu, '').toLowerCase() };
    },
    write(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestService {
  tspName?: string;
  name: string;
  type?: string;
  status?: string;
  certificates: Uint8Array[];
}

export interface TestListOptions {
  territory?: string;
  sequenceNumber?: number;
  version?: number;
  /** ListIssueDateTime; default: now, when the openssl test certificates are valid. */
  issued?: string;
  /** null: a closed list (empty NextUpdate). */
  nextUpdate?: string | null;
  services: TestService[];
  /** Include an xmlsec1 signature template (default exc-c14n, rsa-sha256, URI=""). */
  template?: TemplateOptions | false;
}

export interface TemplateOptions {
  signatureMethod?: string;
  digestMethod?: string;
  c14n?: string;
  /** '' or '#TL' (the root Id). */
  uri?: string;
  /** An InclusiveNamespaces PrefixList for the exc-c14n transform and canonicalisation method. */
  prefixList?: string;
}

let files = 0;
const nextFile = (): number => {
  files += 1;
  return files;
};

const esc = (s: string): string => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');

/** A TS 119 612 v5 list as XML text, in the shape national lists are published. */
export function testListXml(o: TestListOptions): string {
  const services = o.services
    .map(
      (s) => `
    <tsl:TrustServiceProvider>
      <tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="en">${esc(s.tspName ?? 'Test TSP')}</tsl:Name></tsl:TSPName></tsl:TSPInformation>
      <tsl:TSPServices>
        <tsl:TSPService>
          <tsl:ServiceInformation>
            <tsl:ServiceTypeIdentifier>${s.type ?? SERVICE_TYPE_CA_QC}</tsl:ServiceTypeIdentifier>
            <tsl:ServiceName><tsl:Name xml:lang="sv">Tjänst ${esc(s.name)}</tsl:Name><tsl:Name xml:lang="en">${esc(s.name)}</tsl:Name></tsl:ServiceName>
            <tsl:ServiceDigitalIdentity>${s.certificates.map((c) => `<tsl:DigitalId><tsl:X509Certificate>${Buffer.from(c).toString('base64')}</tsl:X509Certificate></tsl:DigitalId>`).join('')}</tsl:ServiceDigitalIdentity>
            <tsl:ServiceStatus>${s.status ?? SERVICE_STATUS_GRANTED}</tsl:ServiceStatus>
            <tsl:StatusStartingTime>2024-01-01T00:00:00Z</tsl:StatusStartingTime>
          </tsl:ServiceInformation>
        </tsl:TSPService>
      </tsl:TSPServices>
    </tsl:TrustServiceProvider>`,
    )
    .join('');
  const next = o.nextUpdate === null ? '<tsl:NextUpdate/>' : `<tsl:NextUpdate><tsl:dateTime>${o.nextUpdate ?? '2099-01-01T00:00:00Z'}</tsl:dateTime></tsl:NextUpdate>`;
  const t = o.template === false ? undefined : (o.template ?? {});
  return `<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="TL" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <tsl:SchemeInformation>
    <tsl:TSLVersionIdentifier>${o.version ?? 5}</tsl:TSLVersionIdentifier>
    <tsl:TSLSequenceNumber>${o.sequenceNumber ?? 7}</tsl:TSLSequenceNumber>
    <tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType>
    <tsl:SchemeOperatorName><tsl:Name xml:lang="en">Test supervisory body</tsl:Name></tsl:SchemeOperatorName>
    <tsl:SchemeTerritory>${o.territory ?? 'SE'}</tsl:SchemeTerritory>
    <tsl:ListIssueDateTime>${o.issued ?? new Date().toISOString().replace(/\.\d+Z$/u, 'Z')}</tsl:ListIssueDateTime>
    ${next}
  </tsl:SchemeInformation>
  <tsl:TrustServiceProviderList>${services}
  </tsl:TrustServiceProviderList>${t === undefined ? '' : signatureTemplate(t)}
</tsl:TrustServiceStatusList>
`;
}

/** An empty enveloped ds:Signature that `xmlsec1 --sign` fills in. */
export function signatureTemplate(t: TemplateOptions): string {
  const c14n = t.c14n ?? 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const inc = t.prefixList === undefined ? '' : `<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="${t.prefixList}"/>`;
  const c14nEl = (name: string): string => (inc === '' ? `<ds:${name} Algorithm="${c14n}"/>` : `<ds:${name} Algorithm="${c14n}">${inc}</ds:${name}>`);
  return `<ds:Signature Id="sig"><ds:SignedInfo>${c14nEl('CanonicalizationMethod')}<ds:SignatureMethod Algorithm="${t.signatureMethod ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'}"/><ds:Reference URI="${t.uri ?? ''}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>${c14nEl('Transform')}</ds:Transforms><ds:DigestMethod Algorithm="${t.digestMethod ?? 'http://www.w3.org/2001/04/xmlenc#sha256'}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`;
}

/** `xmlsec1 --sign` over a document holding a template; `idAttr` registers Id for `#TL` references. */
export function xmlsecSign(s: Scratch, xml: string, key: TestKey, idAttr = false): Buffer {
  const input = s.write(`tpl-${nextFile()}.xml`, xml);
  const output = `${input}.signed`;
  const ids = idAttr ? ['--id-attr:Id', 'TrustServiceStatusList'] : [];
  execFileSync('xmlsec1', ['--sign', ...ids, '--privkey-pem', `${key.keyPath},${key.certPath}`, '--output', output, input], { stdio: 'pipe' });
  return readFileSync(output);
}

/** Whether `xmlsec1 --verify` accepts the document, trusting `certPath`. */
export function xmlsecVerifies(s: Scratch, xml: Uint8Array, certPath: string, idAttr = false): boolean {
  const input = s.write(`verify-${nextFile()}.xml`, xml);
  const ids = idAttr ? ['--id-attr:Id', 'TrustServiceStatusList'] : [];
  try {
    execFileSync('xmlsec1', ['--verify', ...ids, '--trusted-pem', certPath, input], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
