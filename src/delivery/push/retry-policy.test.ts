import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, nextAttemptDelayMs, RETRY_BASE_MS, RETRY_CAP_MS, RETRY_FLOOR_MS } from './retry-policy.ts';

const attemptArb = fc.integer({ min: 1, max: 10_000 });
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Mean delay over a fine, deterministic grid of the random source: the expected value. */
function meanDelay(attempt: number, points = 2_000): number {
  let sum = 0;
  for (let i = 0; i < points; i += 1) sum += nextAttemptDelayMs(attempt, () => (i + 0.5) / points);
  return sum / points;
}

describe('nextAttemptDelayMs', () => {
  it('never exceeds the cap nor the attempt ceiling, and is never below the floor', () => {
    fc.assert(
      fc.property(attemptArb, randomArb, (attempt, r) => {
        const d = nextAttemptDelayMs(attempt, () => r);
        expect(d).toBeGreaterThanOrEqual(RETRY_FLOOR_MS);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(RETRY_CAP_MS);
        expect(d).toBeLessThanOrEqual(backoffCeilingMs(attempt));
        expect(Number.isInteger(d)).toBe(true);
      }),
    );
  });

  it('is monotone in the attempt for the same draw, so the expected delay never shrinks', () => {
    fc.assert(
      fc.property(attemptArb, attemptArb, randomArb, (a, b, r) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(nextAttemptDelayMs(lo, () => r)).toBeLessThanOrEqual(nextAttemptDelayMs(hi, () => r));
      }),
    );
  });

  it('has an expected value that grows (roughly doubling) until the cap, then stays at half the cap', () => {
    const means = Array.from({ length: 14 }, (_, i) => meanDelay(i + 1));
    // Ceilings 5 s, 10 s, ... reach the 1 h cap at attempt 11 (5 s × 2^10 > 3600 s).
    for (let i = 1; i < 10; i += 1) {
      const prev = means[i - 1] ?? 0;
      const cur = means[i] ?? 0;
      expect(cur).toBeGreaterThan(prev * 1.8);
    }
    expect(means[0]).toBeCloseTo((RETRY_BASE_MS ** 2 + RETRY_FLOOR_MS ** 2) / (2 * RETRY_BASE_MS), -1);
    expect(means[13]).toBeCloseTo(RETRY_CAP_MS / 2, -2);
    expect(means[12]).toBe(means[13]);
  });

  it('is jittered: different draws spread over the whole window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 20 }), (attempt) => {
        const ceiling = backoffCeilingMs(attempt);
        expect(nextAttemptDelayMs(attempt, () => 0)).toBe(RETRY_FLOOR_MS);
        expect(nextAttemptDelayMs(attempt, () => 0.999_999)).toBeGreaterThan(ceiling * 0.99);
      }),
    );
  });

  it('tolerates nonsense input without producing NaN or Infinity', () => {
    for (const attempt of [0, -3, Number.NaN, Number.POSITIVE_INFINITY, 1e9])
      for (const r of [Number.NaN, -1, 2, 0.5]) {
        const d = nextAttemptDelayMs(attempt, () => r);
        expect(Number.isFinite(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(RETRY_FLOOR_MS);
        expect(d).toBeLessThanOrEqual(RETRY_CAP_MS);
      }
  });
});
