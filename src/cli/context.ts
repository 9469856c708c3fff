import type { FetchFunction } from '../crypto/revocation/index.ts';

/** What a command may touch of the outside world, injected so tests can pin the clock and capture output. */
export interface CommandContext {
  now: () => Date;
  randomId: () => string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** HTTP for OCSP, CRL and TSA requests (default: the global fetch); only used when a command is allowed the network. */
  fetch?: FetchFunction;
}
