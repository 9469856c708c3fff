/**
 * What a caller hands the revocation check: the data at hand and, optionally, network access. One
 * shape for the signature validator (verifyDetached) and for the time-stamps the gateway obtains
 * (timestampSignatureValue), with the one conversion into a checkRevocation input.
 */
import type { ChainLink, CheckRevocationInput, NetworkAccess, RevocationSources } from './check-chain.ts';

export interface RevocationInput {
  /** CRLs (DER) at hand: the trust store's, a refreshed cache, evidence stored with a message. */
  crls?: readonly Buffer[];
  /** OCSP responses (DER) at hand, e.g. stored evidence. */
  ocspResponses?: readonly Buffer[];
  /**
   * Fetching from the certificates' CRL distribution points and OCSP URLs (by the asynchronous
   * checks only); only hosts in `allowHosts` are contacted.
   */
  network?: NetworkAccess;
  /** Locally trusted OCSP responder certificates (DER), besides those the CA delegated (RFC 6960 §4.2.2.2). */
  trustedResponders?: readonly Buffer[];
  /** Age limit for OCSP responses without nextUpdate; default 3600. */
  maxOcspAgeSeconds?: number;
  /** Randomness for OCSP nonces (default node:crypto randomBytes). */
  random?: (size: number) => Buffer;
}

/** The sources of `input` (without its network unless `withNetwork`), or null when there are none at all. */
export function revocationSourcesOf(input: RevocationInput | undefined, withNetwork: boolean): RevocationSources | null {
  if (input === undefined) return null;
  const crls = input.crls ?? [];
  const ocsp = input.ocspResponses ?? [];
  const network = withNetwork ? input.network : undefined;
  if (crls.length === 0 && ocsp.length === 0 && network === undefined) return null;
  return {
    crls,
    ocspResponses: ocsp,
    ...(network === undefined ? {} : { network }),
    ...(input.trustedResponders === undefined ? {} : { trustedResponders: input.trustedResponders }),
  };
}

/** The checkRevocation input for `chain` at `at` (validation time `now`), from these sources and `input`'s options. */
export function revocationCheckInput(input: RevocationInput | undefined, sources: RevocationSources, request: { chain: readonly ChainLink[]; at: Date }, now: Date): CheckRevocationInput {
  return {
    chain: request.chain,
    sources,
    at: request.at,
    now,
    ...(input?.maxOcspAgeSeconds === undefined ? {} : { maxOcspAgeSeconds: input.maxOcspAgeSeconds }),
    ...(input?.random === undefined ? {} : { random: input.random }),
  };
}
