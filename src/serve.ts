import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { createAdaptorServer } from '@hono/node-server';
import type { Config } from './config/index.ts';
import { pemToDerList } from './crypto/index.ts';
import { isAllowedUrl, type FetchFunction } from './crypto/revocation/index.ts';
import { collectBlobs, startScheduler, type GatewayTimestamping } from './delivery/index.ts';
import { openGateway, type Gateway } from './open-gateway.ts';

/** What the running gateway may touch of the outside world: output, the network, the clock, randomness. */
export interface ServerIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Outbound HTTP (push delivery, TSA, CRL, OCSP); TSA and revocation requests are held to EDX_ALLOW_HOSTS. */
  fetch: typeof globalThis.fetch;
  now: () => Date;
  /** Jitter of push-delivery retries. */
  random: () => number;
}

export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080` (the real port when the config asked for port 0). */
  url: string;
  port: number;
  gateway: Gateway;
  /**
   * Stops accepting connections, releases waiting long polls, lets requests in flight finish
   * (for at most `graceMs`, default 10 s, then drops their connections), stops the scheduler and
   * the timers, and closes the database. Idempotent.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export type StartServerResult = { ok: true; value: RunningServer } | { ok: false; error: { code: 'CONFIG_INVALID'; message: string } };

/**
 * Starts the gateway as `npm start` and `edx serve` run it: the gateway on the configured data
 * directory (seeded with its development PKI on first start), the HTTP server, the push-delivery
 * and expiry scheduler, and the CRL refresh timers. A configuration that cannot work (a TSA
 * trust file without a certificate) is returned as `CONFIG_INVALID`; I/O failures throw.
 */
export async function startServer(config: Config, io: ServerIo): Promise<StartServerResult> {
  const { dataDir, port, host, revocation, maxUploadBytes, messageTtlMs, directoryFile, pkiAlgorithm, crlFiles, tsa, allowHosts, revocationFetch } = config;
  // Every outbound request is held to EDX_ALLOW_HOSTS, whatever URL asked for it.
  const allowed: FetchFunction = (url, init) => (isAllowedUrl(url, allowHosts) ? io.fetch(url, init) : Promise.reject(new Error(`${url}: host not in EDX_ALLOW_HOSTS`)));
  let timestamp: GatewayTimestamping | undefined;
  if (tsa !== undefined) {
    const anchors = pemToDerList(await readFile(tsa.trustFile)).map((certificate) => ({ certificate, qualified: false, label: `TSA trust ${tsa.trustFile}` }));
    if (anchors.length === 0) return { ok: false, error: { code: 'CONFIG_INVALID', message: `EDX_TSA_TRUST: no certificate in ${tsa.trustFile}` } };
    timestamp = { url: tsa.url, trustAnchors: anchors, fetch: allowed, timeoutMs: 15_000 };
  }
  const started = io.now().getTime();
  const gateway = await openGateway({
    dataDir,
    revocation,
    maxUploadBytes,
    messageTtlMs,
    pkiAlgorithm,
    crlFiles,
    now: io.now,
    ...(directoryFile === undefined ? {} : { directoryFile }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(allowHosts.length === 0 ? {} : { revocationFetch: { fetch: allowed, allowHosts, ...revocationFetch } }),
  });
  if (gateway.seed.seeded) {
    io.stdout(`first start: seeded ${gateway.seed.participants} participants, development PKI in ${gateway.paths.pki} (${io.now().getTime() - started} ms)\n`);
  }
  if (tsa !== undefined) io.stdout(`time-stamping signatures with the TSA at ${tsa.url}\n`);
  if (revocation === 'skip') {
    io.stdout('warning: revocation checking is off (EDX_REVOCATION=skip); every validation report says so\n');
  }
  // createAdaptorServer makes a plain node:http server unless told to make an HTTP/2 one.
  const server = createAdaptorServer({ fetch: gateway.app.fetch }) as Server;
  let listenPort: number;
  try {
    listenPort = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      // Hundreds of EDMS keep long polls open: Node's default accept backlog (511) overflows with the
      // region's 734 addressees, so ask for more (the kernel caps it at net.core.somaxconn).
      server.listen({ port, host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  } catch (error) {
    gateway.close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${listenPort}`;
  // The "listening" line comes last: whoever waits for it (scripts, tests) then has the whole banner.
  io.stdout(`data directory: ${dataDir}\ndevelopment tokens: ${gateway.paths.tokens}\nedx-gateway listening on ${url}\n`);

  const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  // Push delivery and expiry (issue 3). Plain-http loopback endpoints stay refused here: a
  // development switch for them belongs in config.
  const scheduler = startScheduler(gateway.ctx, {
    delivery: { fetch: io.fetch, random: io.random, timeoutMs: 30_000, maxParallel: 8, limit: 100 },
    expireLimit: 100,
    onError: (error) => io.stderr(`edx-gateway: delivery tick: ${describe(error)}\n`),
  });
  // CRLs age: re-issue the development CRL and reload configured CRL files every 6 hours.
  const crlRefresh = setInterval(() => {
    gateway.refreshRevocation().catch((error: unknown) => io.stderr(`edx-gateway: CRL refresh: ${describe(error)}\n`));
  }, 6 * 3_600_000);
  crlRefresh.unref();
  // Distribution points of external CAs: each is fetched when due (see createCrlCache); the tick
  // only looks. The first refresh runs in the background so an unreachable CA does not delay start.
  const refreshCache = (): void => {
    gateway
      .refreshCrlCache()
      .then((r) => {
        for (const f of r.failed) io.stderr(`edx-gateway: CRL ${f.url}: ${f.error}\n`);
      })
      .catch((error: unknown) => io.stderr(`edx-gateway: CRL cache: ${describe(error)}\n`));
  };
  let cacheRefresh: ReturnType<typeof setInterval> | undefined;
  if (allowHosts.length > 0) {
    refreshCache();
    cacheRefresh = setInterval(refreshCache, 60_000);
    cacheRefresh.unref();
  }

  // Blobs of submissions that failed after writing them: collected once a day (never one a
  // committing row is about to reference; see collectBlobGarbage).
  const blobGc = setInterval(() => {
    collectBlobs(gateway.ctx, { actor: 'gateway' }).catch((error: unknown) => io.stderr(`edx-gateway: blob collection: ${describe(error)}\n`));
  }, 24 * 3_600_000);
  blobGc.unref();

  let closing: Promise<void> | undefined;
  const close = (options: { graceMs?: number } = {}): Promise<void> => {
    closing ??= (async () => {
      clearInterval(crlRefresh);
      clearInterval(blobGc);
      if (cacheRefresh !== undefined) clearInterval(cacheRefresh);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Long polls would otherwise hold their connections until their timeout.
      gateway.ctx.changes.close();
      const force = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 10_000);
      force.unref();
      await closed;
      clearTimeout(force);
      await scheduler.stop();
      gateway.close();
    })();
    return closing;
  };
  return { ok: true, value: { url, port: listenPort, gateway, close } };
}
