/**
 * Certification path building (RFC 4158 style depth-first search) and the structural checks of
 * RFC 5280 §6.1 that do not depend on time: names chain, signatures verify, issuers are CAs
 * allowed to sign certificates, pathLenConstraint holds. Validity periods are checked separately
 * (they depend on the signing time).
 */
import { digestBytes } from '../digest.ts';
import { GOST_OIDS, gostVerify } from '../gost/index.ts';
import type { TrustAnchor } from '../types.ts';
import { formatName } from './distinguished-name.ts';
import { sameCertificateOrKey, type ParsedCertificate } from './parsed-certificate.ts';

export const MAX_PATH_LENGTH = 10;

export interface ParsedAnchor {
  cert: ParsedCertificate;
  anchor: TrustAnchor;
}

export type PathResult =
  | { ok: true; path: ParsedCertificate[]; anchor: ParsedAnchor }
  | { ok: false; message: string };

function isSelfIssued(c: ParsedCertificate): boolean {
  return c.subjectDer.equals(c.issuerDer);
}

function label(c: ParsedCertificate): string {
  return formatName(c.subjectDer) ?? '(unreadable name)';
}

// Whether a certificate's signature verifies with an issuer's key never changes, and parsed
// certificates are cached per DER, so the answer is kept for the next signature by the same signer.
const verifiedBy = new WeakMap<ParsedCertificate, WeakMap<ParsedCertificate, boolean>>();

/**
 * GOST R 34.10-2012 certificate signatures (RFC 9215 §3.1), which node's X509Certificate.verify
 * cannot check: Streebog of the key's size over the exact tbsCertificate bytes, verified with the
 * issuer's GOST key; the signature algorithm's size must be the key's.
 */
function gostSignedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const bits = child.signatureAlgorithm === GOST_OIDS.signature256 ? 256 : 512;
  const key = issuer.gostPublicKey;
  if (key?.ok !== true || key.value.paramSet.curve.bits !== bits) return false;
  const digest = digestBytes(bits === 256 ? 'streebog-256' : 'streebog-512', child.tbsDer);
  return gostVerify({ digest, signature: child.signatureValue, publicKey: key.value });
}

function isGostSignature(c: ParsedCertificate): boolean {
  return c.signatureAlgorithm === GOST_OIDS.signature256 || c.signatureAlgorithm === GOST_OIDS.signature512;
}

function hasUsableKey(c: ParsedCertificate): boolean {
  return c.publicKey !== undefined || c.gostPublicKey?.ok === true;
}

function signedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  let known = verifiedBy.get(child);
  const cached = known?.get(issuer);
  if (cached !== undefined) return cached;
  let verified = false;
  try {
    if (isGostSignature(child)) verified = gostSignedBy(child, issuer);
    else verified = issuer.publicKey !== undefined && child.x509.verify(issuer.publicKey);
  } catch {
    verified = false;
  }
  if (known === undefined) {
    known = new WeakMap();
    verifiedBy.set(child, known);
  }
  known.set(issuer, verified);
  return verified;
}

/** Why `issuer` cannot have issued `child` at position `depth` of the path; `null` when it can. */
function issuerProblem(child: ParsedCertificate, issuer: ParsedCertificate, path: readonly ParsedCertificate[]): string | null {
  if (issuer.basicConstraints?.cA !== true) return `${label(issuer)} is not a CA (basicConstraints cA is not true)`;
  if (issuer.keyUsage !== null && !issuer.keyUsage.includes('keyCertSign')) return `${label(issuer)} keyUsage lacks keyCertSign`;
  const pathLen = issuer.basicConstraints.pathLen;
  // Intermediate CA certificates below this issuer, not counting self-issued ones (RFC 5280 §6.1.4 (l)).
  const below = path.slice(1).filter((c) => !isSelfIssued(c)).length;
  if (pathLen !== undefined && below > pathLen) return `${label(issuer)} pathLenConstraint ${pathLen} is exceeded`;
  if (!hasUsableKey(issuer)) {
    const why = issuer.gostPublicKey?.ok === false ? `: ${issuer.gostPublicKey.message}` : '';
    return `${label(issuer)} has a public key the verifier cannot use${why}`;
  }
  return signedBy(child, issuer) ? null : `the signature of ${label(child)} does not verify with the key of ${label(issuer)}`;
}

/**
 * Finds a path from `signer` to one of `anchors`, using `candidates` (the SignedData certificates)
 * and the anchors as possible issuers. An anchor matches by DER equality or by subject and key.
 */
export function buildCertificationPath(
  signer: ParsedCertificate,
  candidates: readonly ParsedCertificate[],
  anchors: readonly ParsedAnchor[],
): PathResult {
  const problems: string[] = [];
  const pool = [...anchors.map((a) => a.cert), ...candidates];

  const extend = (path: ParsedCertificate[]): { path: ParsedCertificate[]; anchor: ParsedAnchor } | null => {
    const current = path[path.length - 1];
    if (current === undefined) return null;
    const anchor = anchors.find((a) => sameCertificateOrKey(a.cert, current));
    if (anchor !== undefined) return { path: [...path.slice(0, -1), anchor.cert], anchor };
    if (path.length >= MAX_PATH_LENGTH) {
      problems.push(`path longer than ${MAX_PATH_LENGTH} certificates`);
      return null;
    }
    const issuers = pool.filter(
      (c) =>
        c.subjectDer.equals(current.issuerDer) &&
        !(c.subjectKeyId !== undefined && current.authorityKeyId !== undefined && !c.subjectKeyId.equals(current.authorityKeyId)) &&
        !path.some((p) => sameCertificateOrKey(p, c)),
    );
    if (issuers.length === 0) problems.push(`no issuer certificate found for ${label(current)}`);
    for (const issuer of issuers) {
      const problem = issuerProblem(current, issuer, path);
      if (problem !== null) {
        problems.push(problem);
        continue;
      }
      const found = extend([...path, issuer]);
      if (found !== null) return found;
    }
    return null;
  };

  const found = extend([signer]);
  if (found !== null) return { ok: true, ...found };
  const unique = [...new Set(problems)];
  return { ok: false, message: `no certification path to a trust anchor: ${unique.slice(0, 3).join('; ')}` };
}
