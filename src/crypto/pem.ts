/**
 * PEM (RFC 7468) helpers. Only `CERTIFICATE` blocks are returned by `pemToDerList`; keys go
 * through `loadPrivateKeyPem`, which lets node:crypto parse PKCS#8.
 */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/gu;

/** Every `-----BEGIN CERTIFICATE-----` block of a PEM text, decoded to DER, in order. */
export function pemToDerList(pem: Buffer | string, label = 'CERTIFICATE'): Buffer[] {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  const out: Buffer[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1] !== label) continue;
    const body = (m[2] ?? '').replace(/\s+/gu, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(body)) continue;
    const der = Buffer.from(body, 'base64');
    if (der.length > 0) out.push(der);
  }
  return out;
}

/** DER to PEM with 64-character lines (RFC 7468 §2). */
export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/gu) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A certificate (DER) as PEM. */
export function certificateToPem(der: Uint8Array): string {
  return derToPem(der, 'CERTIFICATE');
}
