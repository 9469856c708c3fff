/** What a command may touch of the outside world, injected so tests can pin the clock and capture output. */
export interface CommandContext {
  now: () => Date;
  randomId: () => string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}
