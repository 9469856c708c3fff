import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md, refAdd } from './affine-reference.ts';
import { GOST_PARAM_SETS, type GostCurve } from './curves.ts';
import { baseMultiply, doubleMultiplyPublic, multiplyPoint, type Affine } from './ec.ts';
import { makeReducer } from './field.ts';

/** Plain double-and-add over the affine reference (affine-reference.ts). */
function refMul(curve: GostCurve, k: bigint, P: Affine | null): Affine | null {
  let acc: Affine | null = null;
  for (const bit of k.toString(2)) {
    acc = refAdd(curve, acc, acc);
    if (bit === '1') acc = refAdd(curve, acc, P);
  }
  return acc;
}

const samePoint = (a: Affine | null, b: Affine | null): boolean => (a === null ? b === null : b !== null && a.x === b.x && a.y === b.y);

const randomBelow = (n: bigint): bigint => md(BigInt(`0x${randomBytes(80).toString('hex')}`), n);

/** One parameter set per distinct curve: a = −3 and general a, p = 2^n − c, 2^(n−1) + c and generic. */
const CURVES: readonly GostCurve[] = [
  GOST_PARAM_SETS['tc26-256-A'].curve,
  GOST_PARAM_SETS['cryptopro-A'].curve,
  GOST_PARAM_SETS['cryptopro-B'].curve,
  GOST_PARAM_SETS['cryptopro-C'].curve,
  GOST_PARAM_SETS['tc26-512-A'].curve,
  GOST_PARAM_SETS['tc26-512-B'].curve,
  GOST_PARAM_SETS['tc26-512-C'].curve,
];

describe('field reduction (field.ts) equals % on every GOST prime', () => {
  const primes = [...new Set(CURVES.flatMap((c) => [c.p, c.q]))];
  for (const p of primes) {
    it(`p = 0x${p.toString(16).slice(0, 12)}…`, () => {
      const red = makeReducer(p);
      const n = BigInt(p.toString(2).length);
      const limit = 1n << (2n * n + 7n);
      const edges = [0n, 1n, -1n, p - 1n, p, p + 1n, -p, 2n * p, p * p, (p - 1n) * (p - 1n), 8n * (p - 1n) * (p - 1n), -8n * p * p, limit - 1n, 1n - limit, 1n << n, (1n << n) - 1n];
      for (const x of edges) expect(red(x), `x = ${x}`).toBe(md(x, p));
      fc.assert(
        fc.property(fc.bigInt({ min: 1n - limit, max: limit - 1n }), (x) => red(x) === md(x, p)),
        { numRuns: 2000 },
      );
      for (let i = 0; i < 200; i += 1) {
        const a = randomBelow(p);
        const b = randomBelow(p);
        expect(red(a * b)).toBe((a * b) % p);
      }
    });
  }
});

describe('fast scalar multiplication (ec.ts) equals the affine reference', () => {
  for (const curve of CURVES) {
    const G: Affine = { x: curve.gx, y: curve.gy };
    const q = curve.q;
    it(`${curve.name}: baseMultiply (secret k) for k = 1, 2, q−1, random; 0 and q give infinity`, () => {
      for (const k of [1n, 2n, 15n, 16n, 17n, q - 1n, q - 2n, randomBelow(q), randomBelow(q)]) {
        expect(baseMultiply(curve, k), `k = ${k}`).toEqual(refMul(curve, k, G));
      }
      expect(baseMultiply(curve, 0n)).toBeNull();
      expect(baseMultiply(curve, q)).toBeNull();
    });

    it(`${curve.name}: multiplyPoint for k = 0, 1, 2, q−1, q, q+1, random`, () => {
      const P = refMul(curve, randomBelow(q), G);
      expect(P).not.toBeNull();
      if (P === null) return;
      for (const k of [0n, 1n, 2n, 3n, q - 1n, q, q + 1n, randomBelow(q), randomBelow(1n << 600n)]) {
        expect(multiplyPoint(curve, P, k), `k = ${k}`).toEqual(refMul(curve, k, P));
      }
      expect(multiplyPoint(curve, P, -5n)).toEqual(refMul(curve, q - 5n, P));
    });

    it(`${curve.name}: u·G + v·Q for a new key, the same key again (table built) and cached, edge cases`, () => {
      const d = randomBelow(q);
      const Q = refMul(curve, d, G);
      expect(Q).not.toBeNull();
      if (Q === null) return;
      const cases: Array<[bigint, bigint]> = [
        [randomBelow(q), randomBelow(q)],
        [randomBelow(q), randomBelow(q)],
        [randomBelow(q), randomBelow(q)],
        [0n, randomBelow(q)],
        [randomBelow(q), 0n],
        [0n, 0n],
        [1n, 1n],
        [q - 1n, q - 1n],
        [q - 1n, 1n],
        // u·G + v·dG with u + v·d ≡ 0: the sum is infinity (P + (−P) inside the combs).
        [md(-d * 12345n, q), 12345n],
        // u = v·d: the two halves are equal (P + P inside the combs).
        [md(d * 777n, q), 777n],
      ];
      for (const [u, v] of cases) {
        const expected = refAdd(curve, refMul(curve, u, G), refMul(curve, v, Q));
        expect(doubleMultiplyPublic(curve, u, Q, v), `u = ${u}, v = ${v}`).toEqual(expected);
      }
      // Q = G: the key's table and the generator's table hold the same points.
      const u = randomBelow(q);
      const v = randomBelow(q);
      const expected = refMul(curve, md(u + v, q), G);
      for (let i = 0; i < 3; i += 1) expect(doubleMultiplyPublic(curve, u, G, v)).toEqual(expected);
      expect(doubleMultiplyPublic(curve, u, G, q - u)).toBeNull();
    });
  }

  it('random scalars and keys (fast-check), each key verified three times (wNAF, then comb)', () => {
    const curve = GOST_PARAM_SETS['tc26-256-A'].curve;
    const G: Affine = { x: curve.gx, y: curve.gy };
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: curve.q - 1n }), fc.bigInt({ min: 0n, max: curve.q - 1n }), fc.bigInt({ min: 0n, max: curve.q - 1n }), (d, u, v) => {
        const Q = refMul(curve, d, G);
        if (Q === null) return false;
        const expected = refAdd(curve, refMul(curve, u, G), refMul(curve, v, Q));
        for (let i = 0; i < 3; i += 1) if (!samePoint(doubleMultiplyPublic(curve, u, Q, v), expected)) return false;
        return true;
      }),
      { numRuns: 12 },
    );
  });

  it('points outside the subgroup on a cofactor-4 curve (small-order T, and R of order 4q) match the reference', () => {
    const curve = GOST_PARAM_SETS['tc26-256-A'].curve;
    const p = curve.p;
    // A random point of the whole group: x with a square right-hand side (p ≡ 3 mod 4).
    let R: Affine | null = null;
    for (let x = 2n; R === null; x += 1n) {
      const rhs = md(x * x * x + curve.a * x + curve.b, p);
      let y = 1n;
      for (let e = (p + 1n) / 4n, b = rhs; e > 0n; e >>= 1n, b = (b * b) % p) if ((e & 1n) === 1n) y = (y * b) % p;
      if ((y * y) % p === rhs && refMul(curve, curve.q, { x, y }) !== null) R = { x, y };
    }
    const T = refMul(curve, curve.q, R);
    expect(T).not.toBeNull();
    if (T === null) return;
    for (const P of [T, R]) {
      for (const [u, v] of [
        [randomBelow(curve.q), randomBelow(curve.q)],
        [randomBelow(curve.q), 4n],
        [5n, curve.q],
        [randomBelow(curve.q), 2n],
      ] as const) {
        const expected = refAdd(curve, refMul(curve, u, { x: curve.gx, y: curve.gy }), refMul(curve, v, P));
        for (let i = 0; i < 3; i += 1) expect(doubleMultiplyPublic(curve, u, P, v), `u = ${u}, v = ${v}`).toEqual(expected);
      }
      expect(multiplyPoint(curve, P, 4n * curve.q)).toBeNull();
    }
  });
});
