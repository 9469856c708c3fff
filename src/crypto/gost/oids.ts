/**
 * Object identifiers of GOST R 34.10-2012 / 34.11-2012 as used in X.509 and CMS
 * (RFC 9215 §2–3, RFC 7836 Appendix, RFC 4357 §10 for the CryptoPro parameter sets).
 */
export const GOST_OIDS = {
  /** id-tc26-gost3410-12-256 (SubjectPublicKeyInfo algorithm, RFC 9215 §2.2). */
  publicKey256: '1.2.643.7.1.1.1.1',
  /** id-tc26-gost3410-12-512. */
  publicKey512: '1.2.643.7.1.1.1.2',
  /** id-tc26-gost3411-12-256 (Streebog-256, RFC 9215 §2.1). */
  digest256: '1.2.643.7.1.1.2.2',
  /** id-tc26-gost3411-12-512. */
  digest512: '1.2.643.7.1.1.2.3',
  /** id-tc26-signwithdigest-gost3410-12-256 (RFC 9215 §2.3). */
  signature256: '1.2.643.7.1.1.3.2',
  /** id-tc26-signwithdigest-gost3410-12-512. */
  signature512: '1.2.643.7.1.1.3.3',
  /** id-tc26-hmac-gost-3411-12-256 / -512 (RFC 7836 §A.1). */
  hmac256: '1.2.643.7.1.1.4.1',
  hmac512: '1.2.643.7.1.1.4.2',
  /** id-tc26-gost-3410-12-256-paramSetA..D (RFC 7836 §A.2; B–D equal CryptoPro A–C). */
  paramSet256A: '1.2.643.7.1.2.1.1.1',
  paramSet256B: '1.2.643.7.1.2.1.1.2',
  paramSet256C: '1.2.643.7.1.2.1.1.3',
  paramSet256D: '1.2.643.7.1.2.1.1.4',
  /** id-tc26-gost-3410-12-512-paramSetA..C (RFC 7836 §A.2). */
  paramSet512A: '1.2.643.7.1.2.1.2.1',
  paramSet512B: '1.2.643.7.1.2.1.2.2',
  paramSet512C: '1.2.643.7.1.2.1.2.3',
  /** id-GostR3410-2001-CryptoPro-A/B/C-ParamSet (RFC 4357 §10.8). */
  cryptoProA: '1.2.643.2.2.35.1',
  cryptoProB: '1.2.643.2.2.35.2',
  cryptoProC: '1.2.643.2.2.35.3',
  /** id-GostR3410-2001-CryptoPro-XchA/XchB-ParamSet (= CryptoPro-A / CryptoPro-C curves). */
  cryptoProXchA: '1.2.643.2.2.36.0',
  cryptoProXchB: '1.2.643.2.2.36.1',
} as const;
