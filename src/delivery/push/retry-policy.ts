/** First retry waits up to 5 s; each further failure doubles the window. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_FACTOR = 2;
/** An unreachable endpoint is still tried at least once an hour until the message expires. */
export const RETRY_CAP_MS = 3_600_000;
/**
 * Full jitter alone may draw (almost) zero, which would re-hit an endpoint that has just failed
 * in the very next scheduler tick — a tight loop against a struggling receiver, and with many
 * letters to one body a self-made thundering herd. One second (the scheduler's tick) keeps a
 * minimum pause without losing the de-synchronising effect of the jitter.
 */
export const RETRY_FLOOR_MS = 1_000;

/**
 * Upper bound of the backoff window after `attempt` failed attempts (1-based):
 * `min(cap, base × factor^(attempt-1))`.
 */
export function backoffCeilingMs(attempt: number): number {
  // Past 2^30 the product is far beyond the cap; clamping the exponent avoids Infinity/NaN.
  const exponent = Math.min(Math.max(Number.isFinite(attempt) ? Math.floor(attempt) : 1, 1) - 1, 30);
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * RETRY_FACTOR ** exponent);
}

/**
 * Delay before the next push attempt after `attempt` failures: exponential backoff (base 5 s,
 * factor 2, cap 1 h) with "full jitter" — uniform in [0, ceiling] — as recommended in
 * AWS Architecture Blog, "Exponential Backoff and Jitter" (2015), raised to a floor of 1 s
 * (see {@link RETRY_FLOOR_MS}). Spreading retries uniformly de-synchronises the many letters
 * that fail together when one receiver goes down, so they do not all come back at once.
 *
 * @param attempt number of failed attempts so far, starting at 1
 * @param random uniform source in [0, 1) (injected so tests pin it)
 */
export function nextAttemptDelayMs(attempt: number, random: () => number): number {
  const ceiling = backoffCeilingMs(attempt);
  const r = random();
  const u = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.min(ceiling, Math.max(RETRY_FLOOR_MS, Math.floor(u * ceiling)));
}
