/** PEM text of a DER certificate (RFC 7468 §5). */
export function pemFromDer(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/gu, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END CERTIFICATE-----\n`;
}
