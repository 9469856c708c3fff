/**
 * The gateway's CRL cache (issue 5, SPEC §4 "CRL, then OCSP"): every CRL distribution point of the
 * registered participants' certificates and of the trust anchors is fetched on a schedule,
 * verified (issuer signature, freshness — RFC 5280 §6.3.3) BEFORE it replaces the cached copy,
 * and kept on disk, so a restart without the network still has the last good CRL. The validator
 * gets the cached CRLs as "CRLs at hand"; a stale one is refused by checkCrl, and the validator
 * then tries the distribution point and OCSP itself and says TRY_LATER when nothing answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pemToDerList } from '../crypto/index.ts';
import { checkCrl, crlValidity, fetchRevocationData, isIssuedBy, readCertificate, type CertificateFacts, type NetworkAccess } from '../crypto/revocation/index.ts';

/** One distribution point to keep fresh, with a certificate naming it and that certificate's issuer. */
export interface CrlTarget {
  url: string;
  /** DER of a certificate whose cRLDistributionPoints names `url`. */
  certificate: Buffer;
  /** DER of its issuer (the CRL's signer), when known; without it no CRL can be verified. */
  issuer: Buffer | undefined;
}

export interface CrlCacheOptions {
  /** Directory the CRLs are kept in (DER, one file per distribution point URL). */
  dir: string;
  network: NetworkAccess;
  /** Distribution points to keep fresh; read at every refresh (the registry changes). */
  targets: () => readonly CrlTarget[];
  /** A distribution point is asked at most this often (also the retry delay after a failure). */
  minRefreshMs: number;
  /** A CRL is refreshed at least this often, whatever its nextUpdate says; default 24 h. */
  maxRefreshMs?: number;
}

export interface CrlCacheEntryState {
  url: string;
  /** When the cached CRL was fetched (or its file written); null without a CRL. */
  fetchedAt: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  /** Seconds since thisUpdate; null without a CRL. */
  ageSeconds: number | null;
  /** No CRL, or its nextUpdate has passed: the validator cannot use it. */
  stale: boolean;
  lastAttemptAt: string | null;
  /** Why the last fetch was not used, when it was not. */
  lastError: string | null;
  /** When the next fetch is due. */
  refreshAt: string;
}

export interface CrlRefreshSummary {
  fetched: string[];
  failed: { url: string; error: string }[];
}

export interface CrlCache {
  /** Reads the CRLs kept on disk (at start). */
  load(): Promise<void>;
  /** Fetches every distribution point that is due at `now` (all of them with `force`). */
  refresh(now: Date, options?: { force?: boolean }): Promise<CrlRefreshSummary>;
  /** The cached CRLs (DER), for the validator. */
  crls(): Buffer[];
  state(now: Date): CrlCacheEntryState[];
}

interface Entry {
  der?: Buffer;
  thisUpdate?: Date;
  nextUpdate?: Date | null;
  fetchedAt?: Date;
  lastAttemptAt?: Date;
  lastError?: string;
}

/** The file a distribution point's CRL is kept in: the URL may hold any character, its hash does not. */
function fileKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 32);
}

/** Write-then-rename with fsync of file and directory: a crash leaves the old CRL or the new one, never half. */
async function writeAtomic(dir: string, name: string, bytes: Buffer): Promise<void> {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, join(dir, name));
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

function toDer(body: Buffer): Buffer {
  // Some CAs publish PEM at their distribution points although RFC 5280 §4.2.1.13 says DER.
  if (body.subarray(0, 11).toString('latin1') === '-----BEGIN ') return pemToDerList(body, 'X509 CRL')[0] ?? body;
  return body;
}

/**
 * Creates the cache. Refresh timing per distribution point (RFC 5280 §5.1.2.5): at 80% of the
 * thisUpdate..nextUpdate interval, at least every `maxRefreshMs`, at most every `minRefreshMs`;
 * a failed fetch keeps the old CRL (until it goes stale) and is retried after `minRefreshMs`.
 */
export function createCrlCache(options: CrlCacheOptions): CrlCache {
  const entries = new Map<string, Entry>();
  // The targets of the last refresh: computing them verifies certificate signatures, too much for every /metrics scrape.
  let targets: readonly CrlTarget[] | undefined;
  const currentTargets = (): readonly CrlTarget[] => (targets ??= options.targets());
  const maxRefreshMs = options.maxRefreshMs ?? 86_400_000;

  const entryOf = (url: string): Entry => {
    const key = fileKey(url);
    let e = entries.get(key);
    if (e === undefined) {
      e = {};
      entries.set(key, e);
    }
    return e;
  };

  const refreshAt = (e: Entry): number => {
    const notBefore = e.lastAttemptAt === undefined ? 0 : e.lastAttemptAt.getTime() + options.minRefreshMs;
    if (e.der === undefined || e.thisUpdate === undefined) return notBefore;
    const fetched = e.fetchedAt?.getTime() ?? e.thisUpdate.getTime();
    let due = fetched + maxRefreshMs;
    if (e.nextUpdate !== undefined && e.nextUpdate !== null) {
      const span = e.nextUpdate.getTime() - e.thisUpdate.getTime();
      due = Math.min(due, e.thisUpdate.getTime() + Math.floor(span * 0.8));
    }
    return Math.max(due, notBefore);
  };

  async function fetchOne(target: CrlTarget, e: Entry, now: Date): Promise<string | null> {
    e.lastAttemptAt = now;
    if (target.issuer === undefined) return 'the issuer certificate of the CRL is not known (not a trust anchor or registered certificate)';
    const fetched = await fetchRevocationData({ url: target.url, kind: 'crl', allowHosts: options.network.allowHosts, timeoutMs: options.network.timeoutMs, maxBytes: options.network.maxBytes, fetch: options.network.fetch });
    if (!fetched.ok) return `${fetched.error.code}: ${fetched.error.message}`;
    const der = toDer(fetched.value);
    // Verified before it replaces anything: a bad or stale CRL never evicts a good one.
    const checked = checkCrl({ crlDer: der, certificate: target.certificate, issuer: target.issuer, now });
    if (checked.status === 'unknown') return `the CRL is not usable: ${checked.problems.join('; ')}`;
    if (checked.thisUpdate === null) return 'the CRL has no thisUpdate';
    if (e.thisUpdate !== undefined && checked.thisUpdate.getTime() < e.thisUpdate.getTime()) {
      return `the CRL (thisUpdate ${checked.thisUpdate.toISOString()}) is older than the cached one (${e.thisUpdate.toISOString()})`;
    }
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    await writeAtomic(options.dir, `${fileKey(target.url)}.crl`, der);
    e.der = der;
    e.thisUpdate = checked.thisUpdate;
    e.nextUpdate = checked.nextUpdate;
    e.fetchedAt = now;
    return null;
  }

  async function refreshDue(now: Date, force: boolean): Promise<CrlRefreshSummary> {
    const summary: CrlRefreshSummary = { fetched: [], failed: [] };
    targets = options.targets();
    for (const target of targets) {
      const e = entryOf(target.url);
      if (!force && refreshAt(e) > now.getTime()) continue;
      const error = await fetchOne(target, e, now);
      if (error === null) {
        delete e.lastError;
        summary.fetched.push(target.url);
      } else {
        e.lastError = error;
        summary.failed.push({ url: target.url, error });
      }
    }
    return summary;
  }

  let running: Promise<CrlRefreshSummary> | undefined;

  return {
    async load() {
      const names = await readdir(options.dir).catch(() => [] as string[]);
      for (const name of names) {
        const m = /^([0-9a-f]{32})\.crl$/u.exec(name);
        if (m?.[1] === undefined) continue;
        const path = join(options.dir, name);
        const der = await readFile(path);
        const validity = crlValidity(der);
        // Only verified CRLs are written; an unreadable file is a damaged disk, skipped, not fatal.
        if (validity === null) continue;
        const st = await stat(path);
        entries.set(m[1], { der, thisUpdate: validity.thisUpdate, nextUpdate: validity.nextUpdate, fetchedAt: st.mtime });
      }
    },

    refresh(now, refreshOptions = {}) {
      // One refresh at a time: a slow distribution point must not make ticks pile up.
      running ??= refreshDue(now, refreshOptions.force === true).finally(() => {
        running = undefined;
      });
      return running;
    },

    crls: () => [...entries.values()].flatMap((e) => (e.der === undefined ? [] : [e.der])),

    state(now) {
      return currentTargets().map((t) => {
        const e = entries.get(fileKey(t.url)) ?? {};
        const stale = e.der === undefined || e.nextUpdate === undefined || e.nextUpdate === null || e.nextUpdate.getTime() <= now.getTime();
        return {
          url: t.url,
          fetchedAt: e.fetchedAt?.toISOString() ?? null,
          thisUpdate: e.thisUpdate?.toISOString() ?? null,
          nextUpdate: e.nextUpdate?.toISOString() ?? null,
          ageSeconds: e.thisUpdate === undefined ? null : Math.max(0, Math.round((now.getTime() - e.thisUpdate.getTime()) / 1000)),
          stale,
          lastAttemptAt: e.lastAttemptAt?.toISOString() ?? null,
          lastError: e.lastError ?? null,
          refreshAt: new Date(refreshAt(e)).toISOString(),
        };
      });
    },
  };
}

/**
 * The distribution points to keep fresh: every http CRL distribution point (RFC 5280 §4.2.1.13)
 * of the given certificates (registered participants' certificates and trust anchors), each with
 * its issuer found among the same certificates (name and signature, RFC 5280 §6.1; points whose
 * issuer is unknown are left out: their CRLs could not be verified). https and
 * ldap points are left to the validator: a CRL is signed, plain http is the convention.
 */
export function crlTargetsOf(certificates: readonly Uint8Array[]): CrlTarget[] {
  const pool = certificates.map((c) => readCertificate(c)).filter((c): c is CertificateFacts => c !== null);
  const targets = new Map<string, CrlTarget>();
  for (const cert of pool) {
    for (const url of cert.crlUrls) {
      if (!url.startsWith('http://')) continue;
      const known = targets.get(url);
      if (known?.issuer !== undefined) continue;
      const issuer = pool.find((c) => c !== cert && c.isCA && isIssuedBy(cert, c)) ?? (isIssuedBy(cert, cert) ? cert : undefined);
      // Without its issuer a CRL cannot be verified, and the certificate has no path to an anchor
      // anyway (its signatures fail NO_CERTIFICATE_CHAIN_FOUND): not a point to keep fresh.
      if (issuer === undefined) continue;
      targets.set(url, { url, certificate: cert.der, issuer: issuer.der });
    }
  }
  return [...targets.values()];
}
