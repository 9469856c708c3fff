import { z } from 'zod';
import { loadConfig, type Config } from '../../config/index.ts';
import type { StartServerResult } from '../../serve.ts';
import { parseCommandArgs } from '../args.ts';
import { CliError, EXIT } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';

export const serveUsage = `edx serve [--data-dir DIR] [--port N] [--host H]

Runs the gateway, exactly as 'npm start' does: the HTTP API and console, push delivery and
expiry, CRL refresh. Configured by the same environment (EDX_*, PORT, HOST; see README);
--data-dir, --port and --host override EDX_DATA_DIR, PORT and HOST. --port 0 picks a free port.
An empty data directory is initialised on start (see 'edx init'). Prints
"edx-gateway listening on URL" once it accepts connections; SIGINT or SIGTERM stop it cleanly
(exit 0). Exits 2 on a bad configuration, 1 when it cannot listen or open the data directory.`;

const schema = z.object({
  'data-dir': z.string().min(1).optional(),
  port: z
    .string()
    .regex(/^\d{1,5}$/u, 'expected a port number')
    .refine((p) => Number(p) <= 65535, 'expected a port number 0-65535')
    .optional(),
  host: z.string().min(1).optional(),
});

/**
 * The gateway's configuration for `serve` and `init`: the environment as `npm start` reads it,
 * with the command's flags in place of the variables they stand for (flags win).
 */
export function configFromEnvAndFlags(ctx: CommandContext, flags: { dataDir?: string | undefined; port?: string | undefined; host?: string | undefined; pkiAlgorithm?: string | undefined; directoryFile?: string | undefined }): Config {
  const env: Record<string, string | undefined> = { ...ctx.env };
  if (flags.dataDir !== undefined) env.EDX_DATA_DIR = flags.dataDir;
  if (flags.port !== undefined) env.PORT = flags.port;
  if (flags.host !== undefined) env.HOST = flags.host;
  if (flags.pkiAlgorithm !== undefined) env.EDX_PKI_ALGORITHM = flags.pkiAlgorithm;
  if (flags.directoryFile !== undefined) env.EDX_DIRECTORY_FILE = flags.directoryFile;
  const config = loadConfig(env);
  if (!config.ok) throw new CliError('CONFIG_INVALID', `bad configuration: ${config.message}`, EXIT.badInput);
  return config.value;
}

/** The first of SIGINT / SIGTERM to arrive; `cancel` stops listening for them (when start failed). */
function stopSignals(): { next: Promise<NodeJS.Signals>; cancel: () => void } {
  let on: (signal: NodeJS.Signals) => void = () => undefined;
  const cancel = (): void => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const next = new Promise<NodeJS.Signals>((resolve) => {
    on = (signal) => {
      cancel();
      resolve(signal);
    };
  });
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { next, cancel };
}

export async function serveCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } }, schema);
  const config = configFromEnvAndFlags(ctx, { dataDir: values['data-dir'], port: values.port, host: values.host });
  // Listening for the signals before the (possibly long) first start, so an early Ctrl-C is not lost.
  const signals = stopSignals();
  let started: StartServerResult;
  try {
    // Loaded here, not at the top: the HTTP app and its dependencies would slow every other command's start.
    const { startServer } = await import('../../serve.ts');
    started = await startServer(config, { stdout: ctx.stdout, stderr: ctx.stderr, fetch: globalThis.fetch, now: ctx.now, random: Math.random });
  } catch (error) {
    signals.cancel();
    throw new CliError('SERVE_FAILED', error instanceof Error ? error.message : String(error), EXIT.notPassed);
  }
  if (!started.ok) {
    signals.cancel();
    throw new CliError(started.error.code, `bad configuration: ${started.error.message}`, EXIT.badInput);
  }
  const signal = await signals.next;
  ctx.stderr(`edx serve: ${signal}: stopping\n`);
  await started.value.close();
  ctx.stdout('edx-gateway stopped\n');
  return EXIT.ok;
}
