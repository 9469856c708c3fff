/**
 * Test-only reference for the curve arithmetic: textbook affine formulas (Hankerson–Menezes–
 * Vanstone §3.1.2) with one inversion per operation and plain double-and-add, sharing no code with
 * ec.ts, ec-bigint.ts, field.ts or field-wasm.ts. Slow and obviously right; null is the point at infinity.
 */
import type { GostCurve } from './curves.ts';
import type { Affine } from './ec.ts';

/** a mod m in [0, m). */
export const md = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

/** a⁻¹ mod m by the extended Euclidean algorithm. */
export function inv(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [md(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const t = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - t * r1, s1, s0 - t * s1];
  }
  return md(s0, m);
}

/** P + Q on the curve's short Weierstrass form. */
export function refAdd(curve: GostCurve, P: Affine | null, Q: Affine | null): Affine | null {
  if (P === null) return Q;
  if (Q === null) return P;
  const p = curve.p;
  let lambda: bigint;
  if (P.x === Q.x) {
    if (md(P.y + Q.y, p) === 0n) return null;
    lambda = md((3n * P.x * P.x + curve.a) * inv(2n * P.y, p), p);
  } else {
    lambda = md((Q.y - P.y) * inv(Q.x - P.x, p), p);
  }
  const x = md(lambda * lambda - P.x - Q.x, p);
  return { x, y: md(lambda * (P.x - x) - P.y, p) };
}
