import { DIGEST_ALGORITHMS } from '../digest.ts';
import type { ValidationPolicy } from '../types.ts';

/**
 * The default signature validation policy (ETSI EN 319 102-1 §5.1.4 "signature validation
 * constraints"): revocation required, 5 minutes of clock skew, RSA >= 2048 bits, SHA-2 and
 * GOST R 34.11-2012 (Streebog) digests.
 */
export const DEFAULT_VALIDATION_POLICY: ValidationPolicy = Object.freeze({
  revocation: 'require',
  requireSigningCertificateV2: false,
  maxFutureSkewSeconds: 300,
  minRsaModulusBits: 2048,
  acceptedDigestAlgorithms: Object.freeze([...DIGEST_ALGORITHMS]),
});
