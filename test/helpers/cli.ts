import { randomUUID } from 'node:crypto';
import { runCli } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `edx` in-process with a pinned clock; output is captured, not printed. */
export async function edx(argv: readonly string[], now: Date = new Date()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    now: () => now,
    randomId: () => randomUUID(),
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}
