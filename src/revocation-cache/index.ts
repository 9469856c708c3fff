/** The CRL cache: distribution points fetched on a schedule, verified, and kept on disk (issue 5). */
export { createCrlCache, crlTargetsOf, type CrlCache, type CrlCacheEntryState, type CrlCacheOptions, type CrlRefreshSummary, type CrlTarget } from './crl-cache.ts';
