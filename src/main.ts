import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from './config/index.ts';
import { DEFAULT_DEV_PARTICIPANTS_FILE, initDevPki, loadDevParticipants, pemToDerList, type TrustAnchor } from './crypto/index.ts';
import { createApp } from './http/create-app.ts';

/**
 * Composition root: config -> data directory (development PKI on first start) -> app -> server.
 * The delivery service (directory, database, inbox) joins here as it is built.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.ok) {
    process.stderr.write(`edx-gateway: bad configuration: ${config.message}\n`);
    process.exitCode = 2;
    return;
  }
  const { dataDir, port, host } = config.value;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pkiDir = join(dataDir, 'pki');
  const rootPath = join(pkiDir, 'root.pem');
  if (!(await stat(rootPath).catch(() => undefined))) {
    const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
    if (!participants.ok) throw new Error(participants.error.message);
    process.stdout.write(`first start: creating the development PKI in ${pkiDir}\n`);
    await initDevPki({ dir: pkiDir, participants: participants.value, now: new Date() });
  }
  const anchors: TrustAnchor[] = pemToDerList(await readFile(rootPath)).map((certificate) => ({
    certificate,
    qualified: true,
    label: 'edx-gateway development root (trust.json marks it qualified)',
  }));

  const app = createApp({
    trustAnchors: () => anchors,
    revocation: config.value.revocation,
    maxUploadBytes: config.value.maxUploadBytes,
    now: () => new Date(),
  });
  const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
    process.stdout.write(`edx-gateway listening on http://${host}:${info.port}\n`);
    process.stdout.write(`data directory: ${dataDir} (development PKI in ${pkiDir})\n`);
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`edx-gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
