import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { createAdaptorServer } from '@hono/node-server';
import { loadConfig } from './config/index.ts';
import { pemToDerList } from './crypto/index.ts';
import { isAllowedUrl, type FetchFunction } from './crypto/revocation/index.ts';
import { startScheduler, type GatewayTimestamping } from './delivery/index.ts';
import { openGateway } from './open-gateway.ts';

/**
 * Composition root: config -> gateway (database, directory, PKI, blobs, app) -> HTTP server.
 * The only place that reads the environment and the real clock.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.ok) {
    process.stderr.write(`edx-gateway: bad configuration: ${config.message}\n`);
    process.exitCode = 2;
    return;
  }
  const { dataDir, port, host, revocation, maxUploadBytes, messageTtlMs, directoryFile, pkiAlgorithm, crlFiles, tsa, allowHosts, revocationFetch } = config.value;
  // Every outbound request is held to EDX_ALLOW_HOSTS, whatever URL asked for it.
  const allowed: FetchFunction = (url, init) => (isAllowedUrl(url, allowHosts) ? globalThis.fetch(url, init) : Promise.reject(new Error(`${url}: host not in EDX_ALLOW_HOSTS`)));
  let timestamp: GatewayTimestamping | undefined;
  if (tsa !== undefined) {
    const anchors = pemToDerList(await readFile(tsa.trustFile)).map((certificate) => ({ certificate, qualified: false, label: `TSA trust ${tsa.trustFile}` }));
    if (anchors.length === 0) {
      process.stderr.write(`edx-gateway: bad configuration: EDX_TSA_TRUST: no certificate in ${tsa.trustFile}\n`);
      process.exitCode = 2;
      return;
    }
    timestamp = { url: tsa.url, trustAnchors: anchors, fetch: allowed, timeoutMs: 15_000 };
  }
  const started = Date.now();
  const gateway = await openGateway({
    dataDir,
    revocation,
    maxUploadBytes,
    messageTtlMs,
    pkiAlgorithm,
    crlFiles,
    ...(directoryFile === undefined ? {} : { directoryFile }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(allowHosts.length === 0 ? {} : { revocationFetch: { fetch: allowed, allowHosts, ...revocationFetch } }),
  });
  if (gateway.seed.seeded) {
    process.stdout.write(`first start: seeded ${gateway.seed.participants} participants, development PKI in ${gateway.paths.pki} (${Date.now() - started} ms)\n`);
  }
  if (tsa !== undefined) process.stdout.write(`time-stamping signatures with the TSA at ${tsa.url}\n`);
  if (revocation === 'skip') {
    process.stdout.write('warning: revocation checking is off (EDX_REVOCATION=skip); every validation report says so\n');
  }
  const server = createAdaptorServer({ fetch: gateway.app.fetch });
  // Hundreds of EDMS keep long polls open: Node's default accept backlog (511) overflows with the
  // region's 734 addressees, so ask for more (the kernel caps it at net.core.somaxconn).
  server.listen({ port, host, backlog: 4096 }, () => {
    const info = server.address() as AddressInfo;
    process.stdout.write(`edx-gateway listening on http://${host}:${info.port}\n`);
    process.stdout.write(`data directory: ${dataDir}\n`);
    process.stdout.write(`development tokens: ${gateway.paths.tokens}\n`);
  });
  // Push delivery and expiry (issue 3). Plain-http loopback endpoints stay refused here: a
  // development switch for them belongs in config.
  const scheduler = startScheduler(gateway.ctx, {
    delivery: { fetch: globalThis.fetch, random: Math.random, timeoutMs: 30_000, maxParallel: 8, limit: 100 },
    expireLimit: 100,
    onError: (error) => process.stderr.write(`edx-gateway: delivery tick: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  // CRLs age: re-issue the development CRL and reload configured CRL files every 6 hours.
  const crlRefresh = setInterval(() => {
    gateway.refreshRevocation().catch((error: unknown) => process.stderr.write(`edx-gateway: CRL refresh: ${error instanceof Error ? error.message : String(error)}\n`));
  }, 6 * 3_600_000);
  crlRefresh.unref();
  // Distribution points of external CAs: each is fetched when due (see createCrlCache); the tick
  // only looks. The first refresh runs in the background so an unreachable CA does not delay start.
  const refreshCache = (): void => {
    gateway
      .refreshCrlCache()
      .then((r) => {
        for (const f of r.failed) process.stderr.write(`edx-gateway: CRL ${f.url}: ${f.error}\n`);
      })
      .catch((error: unknown) => process.stderr.write(`edx-gateway: CRL cache: ${error instanceof Error ? error.message : String(error)}\n`));
  };
  if (allowHosts.length > 0) {
    refreshCache();
    setInterval(refreshCache, 60_000).unref();
  }
  const stop = (): void => {
    server.close(() => {
      void scheduler.stop().finally(() => {
        gateway.close();
        process.exit(0);
      });
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`edx-gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
