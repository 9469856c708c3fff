import { loadConfig } from './config/index.ts';
import { startServer } from './serve.ts';

/**
 * Composition root of `npm start`: the environment, the real clock, randomness and network go in
 * here and nowhere deeper; the wiring itself is {@link startServer}, shared with `edx serve`.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.ok) {
    process.stderr.write(`edx-gateway: bad configuration: ${config.message}\n`);
    process.exitCode = 2;
    return;
  }
  const started = await startServer(config.value, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    fetch: globalThis.fetch,
    now: () => new Date(),
    random: Math.random,
  });
  if (!started.ok) {
    process.stderr.write(`edx-gateway: bad configuration: ${started.error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const stop = (): void => {
    void started.value.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`edx-gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
