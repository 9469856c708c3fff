#!/usr/bin/env node
// Entry point of the `edx` command: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';
import { randomUUID } from 'node:crypto';

register();
// `edx directory export | head`: a reader that stops early is not an error of ours.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { runCli } = await import('../src/cli/main.ts');
const ctx = {
  now: () => new Date(),
  randomId: () => randomUUID(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
};
try {
  process.exitCode = await runCli(process.argv.slice(2), ctx);
} catch (error) {
  process.stderr.write(`edx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
}
