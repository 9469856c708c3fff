import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_VALIDATION_POLICY, loadSigningKeyPem, pemToDerList, type KeyAlgorithm } from './crypto/index.ts';
import { migrate, openDatabase, type DatabaseHandle } from './db/index.ts';
import { createChangeFeed, type GatewayContext, type GatewayTimestamping } from './delivery/index.ts';
import { eq } from 'drizzle-orm';
import type { NetworkAccess } from './crypto/revocation/index.ts';
import { tables } from './db/index.ts';
import { createCrlCache, crlTargetsOf, type CrlRefreshSummary } from './revocation-cache/index.ts';
import { createRevocationSources, DEFAULT_DIRECTORY_FILE, getParticipant, listTrustAnchors, loadDirectoryFixture, seedDirectory, type DirectoryFixture, type SeedResult } from './directory/index.ts';
import { createApp } from './http/create-app.ts';
import { createBlobStore } from './storage/index.ts';

/** A bound on the TSA certificates remembered for the CRL cache (a TSA rolls its certificate now and then). */
const MAX_TSA_CERTIFICATES = 64;

export interface GatewayOptions {
  dataDir: string;
  revocation: 'require' | 'skip';
  maxUploadBytes: number;
  messageTtlMs: number;
  now?: () => Date;
  newId?: () => string;
  /** Defaults to fixtures/directory.json; tests pass a smaller directory. */
  directory?: DirectoryFixture;
  /** A directory file to seed from (ignored when `directory` is given). */
  directoryFile?: string;
  /** Key algorithm of the development PKI made on first start (default ecdsa-p256). */
  pkiAlgorithm?: KeyAlgorithm;
  /** CRL files checked besides the development CA's own (re-issued at start). */
  crlFiles?: readonly string[];
  /** The TSA that time-stamps every signature the gateway makes when it accepts a letter (CAdES-T). */
  timestamp?: GatewayTimestamping;
  /**
   * Revocation data over the network (only to `allowHosts`): the CRL distribution points of the
   * registered certificates and trust anchors are cached in `<dataDir>/crl-cache` (refreshed by
   * `refreshCrlCache`), and the validator may fetch CRLs and ask OCSP responders when the cache
   * has no answer. Absent: only the CRLs at hand (development CA, CRL files).
   */
  revocationFetch?: NetworkAccess & { minRefreshMs: number };
}

export interface Gateway {
  ctx: GatewayContext;
  app: ReturnType<typeof createApp>;
  seed: SeedResult;
  paths: { database: string; pki: string; tokens: string; blobs: string };
  /** Re-issues the development CRL and reloads CRL files (serve.ts runs it every few hours). */
  refreshRevocation(): Promise<void>;
  /** Fetches the CRL distribution points that are due (serve.ts runs it every minute); nothing without `revocationFetch`. */
  refreshCrlCache(options?: { force?: boolean }): Promise<CrlRefreshSummary>;
  close(): void;
}

/**
 * Wires one gateway on a data directory (the embedded default, SPEC §7): the SQLite database
 * (migrated), the directory seeded on first start with its development PKI and tokens, the
 * blob store, the evidence seal, and the HTTP app. `serve.ts` (npm start, edx serve) and the tests both use it.
 */
export async function openGateway(options: GatewayOptions): Promise<Gateway> {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => randomUUID());
  const dataDir = options.dataDir;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const paths = { database: join(dataDir, 'edx.sqlite'), pki: join(dataDir, 'pki'), tokens: join(dataDir, 'tokens.json'), blobs: join(dataDir, 'blobs') };
  const tmpDir = join(paths.blobs, 'tmp');
  // Scratch files of a previous run are never referenced by a committed row.
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });

  let handle: DatabaseHandle | undefined = openDatabase(paths.database);
  try {
    migrate(handle.sqlite, now());
    let fixture = options.directory;
    if (fixture === undefined) {
      const loaded = await loadDirectoryFixture(options.directoryFile ?? DEFAULT_DIRECTORY_FILE);
      if (!loaded.ok) throw new Error(loaded.error.message);
      fixture = loaded.value;
    }
    const seed = await seedDirectory({ db: handle.db, fixture, pkiDir: paths.pki, tokensPath: paths.tokens, now: now(), ...(options.pkiAlgorithm === undefined ? {} : { algorithm: options.pkiAlgorithm }) });
    const operator = getParticipant(handle.db, seed.operatorId);
    if (operator === undefined) throw new Error(`operator ${seed.operatorId} is not in the directory`);
    const sealKey = loadSigningKeyPem(await readFile(join(paths.pki, 'gateway.key.pem')));
    if (!sealKey.ok) throw new Error(`evidence seal key: ${sealKey.error.message}`);
    const sealCert = pemToDerList(await readFile(join(paths.pki, 'gateway.cert.pem')))[0];
    if (sealCert === undefined) throw new Error('evidence seal certificate unreadable');

    const db = handle.db;
    let anchors = listTrustAnchors(db);
    const revocation = createRevocationSources({ db, pkiDir: paths.pki, crlFiles: options.crlFiles ?? [] });
    await revocation.refresh(now());
    const fetching = options.revocationFetch;
    const network: NetworkAccess | undefined = fetching === undefined ? undefined : { fetch: fetching.fetch, allowHosts: fetching.allowHosts, timeoutMs: fetching.timeoutMs, maxBytes: fetching.maxBytes };
    // TSA certificates learned from the tokens the gateway obtains (the TSA is known only by its
    // anchors until then): their distribution points join the cache's targets.
    const tsaCertificates = new Map<string, Buffer>();
    const crlCache =
      fetching === undefined || network === undefined
        ? undefined
        : createCrlCache({
            dir: join(dataDir, 'crl-cache'),
            network,
            minRefreshMs: fetching.minRefreshMs,
            targets: () => {
              const registered = db.select({ der: tables.certificates.der }).from(tables.certificates).where(eq(tables.certificates.state, 'active')).all();
              const tsa = [...(options.timestamp?.trustAnchors ?? []).map((a) => a.certificate), ...tsaCertificates.values()];
              return crlTargetsOf([...anchors.map((a) => a.certificate), ...registered.map((r) => r.der), ...tsa]);
            },
          });
    await crlCache?.load();
    const ctx: GatewayContext = {
      db,
      blobs: createBlobStore(paths.blobs),
      now,
      newId,
      tmpDir,
      seal: { privateKey: sealKey.value, certificate: sealCert, chain: [] },
      gatewayParty: { id: operator.id, name: operator.name, inn: operator.inn, ogrn: operator.ogrn },
      policy: { ...DEFAULT_VALIDATION_POLICY, revocation: options.revocation },
      trustAnchors: () => anchors,
      revocation: () => {
        const atHand = revocation.current();
        return {
          ...atHand,
          crls: [...(atHand.crls ?? []), ...(crlCache?.crls() ?? [])],
          ...(network === undefined ? {} : { network }),
        };
      },
      ...(crlCache === undefined ? {} : { crlCacheState: () => crlCache.state(now()) }),
      messageTtlMs: options.messageTtlMs,
      changes: createChangeFeed(db),
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
      ...(crlCache === undefined
        ? {}
        : {
            tsaPathSeen: (path: readonly Buffer[]) => {
              let added = false;
              for (const der of path) {
                const key = createHash('sha256').update(der).digest('hex');
                if (tsaCertificates.has(key)) continue;
                if (tsaCertificates.size >= MAX_TSA_CERTIFICATES) break;
                tsaCertificates.set(key, der);
                added = true;
              }
              // In the background: the token at hand was already judged with the validator's own fetch.
              if (added) void crlCache.refresh(now()).catch(() => undefined);
            },
          }),
    };
    const app = createApp({
      trustAnchors: () => anchors,
      revocation: options.revocation,
      maxUploadBytes: options.maxUploadBytes,
      now,
      tmpDir,
      gateway: ctx,
      // The anchors are cached for the verifier; an administrator's change reloads them at once.
      onTrustAnchorsChanged: () => {
        anchors = listTrustAnchors(db);
      },
    });
    const opened = handle;
    handle = undefined;
    return {
      ctx,
      app,
      seed,
      paths,
      refreshRevocation: () => revocation.refresh(now()),
      refreshCrlCache: (refreshOptions) => crlCache?.refresh(now(), refreshOptions) ?? Promise.resolve({ fetched: [], failed: [] }),
      close: () => {
        anchors = [];
        ctx.changes.close();
        opened.close();
      },
    };
  } finally {
    handle?.close();
  }
}
