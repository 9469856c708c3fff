import type { FetchFunction } from '../crypto/revocation/index.ts';

/** What a command may touch of the outside world, injected so tests can pin the clock and capture output. */
export interface CommandContext {
  now: () => Date;
  randomId: () => string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** HTTP for OCSP, CRL and TSA requests (default: the global fetch); only used when a command is allowed the network. */
  fetch?: FetchFunction;
  /** The environment, for the commands that run the gateway (`serve`, `init`) with the same EDX_* settings as `npm start`; absent: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: long operations then show their progress there. */
  stderrIsTTY?: boolean;
}
