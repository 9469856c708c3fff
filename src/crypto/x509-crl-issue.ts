/** Issuing X.509 v2 CRLs (RFC 5280 §5) for the development PKI and tests. */
import { bitString, explicit, integer, octetString, oid, seq, tlv, x509Time } from './der-writer.ts';
import type { SigningKey } from './keys.ts';
import { OID } from './oids.ts';
import { CRL_REASONS, type CrlReason } from './revocation/crl.ts';
import { keyIdentifier, signatureAlgorithmFor, tbsField } from './x509-issue.ts';

const OID_CRL_NUMBER = '2.5.29.20';
const OID_CRL_REASON = '2.5.29.21';

export interface RevokedEntry {
  /** Serial number of the revoked certificate: its INTEGER content bytes, or hex. */
  serial: Buffer | string;
  at: Date;
  /** Omitted: no reasonCode entry extension (RFC 5280 §5.3.1 says to omit rather than write unspecified). */
  reason?: CrlReason;
}

export interface IssueCrlInput {
  /** The CA certificate (DER) and its key; the CRL's issuer name is copied from the certificate. */
  issuer: { certificate: Buffer; privateKey: SigningKey };
  revoked: readonly RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** cRLNumber (RFC 5280 §5.2.3), monotonically increasing per issuer; default 1. */
  crlNumber?: number;
}

const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** Serials are positive; `integer` adds the zero octet a leading 1 bit needs (X.690 §8.3). */
function serialInteger(serial: Buffer | string): Buffer {
  return integer(typeof serial === 'string' ? Buffer.from(serial.length % 2 === 1 ? `0${serial}` : serial, 'hex') : serial);
}

/**
 * Issues a DER CertificateList (RFC 5280 §5.1) v2 signed by `issuer`, with authorityKeyIdentifier
 * and cRLNumber extensions and, per entry, the reasonCode extension (§5.3.1). Revocation dates and
 * update times are truncated to seconds, as X.509 times carry no fractions.
 */
export function issueCrl(input: IssueCrlInput): Buffer {
  const signature = signatureAlgorithmFor(input.issuer.privateKey);
  const issuerName = tbsField(input.issuer.certificate, 5);
  const aki = keyIdentifier(tbsField(input.issuer.certificate, 6));
  const entries = input.revoked.map((e) => {
    const reason = e.reason === undefined ? [] : [seq(seq(oid(OID_CRL_REASON), octetString(tlv(0x0a, Uint8Array.of(CRL_REASONS.indexOf(e.reason))))))];
    return seq(serialInteger(e.serial), x509Time(seconds(e.at)), ...reason);
  });
  const extensions = seq(
    seq(oid(OID.authorityKeyIdentifier), octetString(seq(tlv(0x80, aki)))),
    seq(oid(OID_CRL_NUMBER), octetString(integer(input.crlNumber ?? 1))),
  );
  const tbs = seq(
    integer(1),
    signature.algorithm,
    issuerName,
    x509Time(seconds(input.thisUpdate)),
    x509Time(seconds(input.nextUpdate)),
    ...(entries.length === 0 ? [] : [seq(...entries)]),
    explicit(0, extensions),
  );
  return seq(tbs, signature.algorithm, bitString(signature.sign(tbs)));
}
