import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GOST_PARAM_SETS, type GostCurve, type GostParamSetName } from './curves.ts';
import { baseMultiply, doubleMultiplyPublic, invertModQ, multiplyPoint, verifyDoubleMultiply, type Affine } from './ec.ts';
import { baseMultiplyBigInt, doubleMultiplyPublicBigInt, multiplyPointBigInt } from './ec-bigint.ts';
import { SLOT, createFieldWasm, type FieldWasm } from './field-wasm.ts';

/**
 * The WebAssembly paths (field-wasm.ts, ec.ts) against BigInt: field operations against
 * BigInt `%`, point operations against textbook affine formulas, scalar multiplications
 * against ec-bigint.ts (the previous, independent implementation), for all 12 parameter sets.
 */
const md = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;
const randomBelow = (n: bigint): bigint => md(BigInt(`0x${randomBytes(80).toString('hex')}`), n);

function inv(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [md(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const t = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - t * r1, s1, s0 - t * s1];
  }
  return md(s0, m);
}

function refAdd(curve: GostCurve, P: Affine | null, Q: Affine | null): Affine | null {
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

const SET_NAMES = Object.keys(GOST_PARAM_SETS) as GostParamSetName[];
const curveOf = (name: GostParamSetName): GostCurve => GOST_PARAM_SETS[name].curve;

/** RFC 7091's generic-prime test curve (p = 2^255 + 0x431: neither fold form, Montgomery path). */
const TEST_P = BigInt('0x8000000000000000000000000000000000000000000000000000000000000431');

describe('field-wasm: GF(p) arithmetic equals BigInt', () => {
  const primes: Array<[string, bigint, bigint]> = [
    ...[...new Map(SET_NAMES.map((n) => [curveOf(n).p, n])).entries()].map(([p, n]): [string, bigint, bigint] => [n, p, curveOf(n).a]),
    ['rfc7091-test-256', TEST_P, 7n],
  ];
  for (const [name, p, a] of primes) {
    it(`${name}: mul, sqr, add, sub, inverses on edge and random values`, () => {
      const f = createFieldWasm(p, a);
      const [A, B, D] = [f.at(SLOT.io), f.at(SLOT.io + 1), f.at(SLOT.io + 2)];
      const bits = BigInt(p.toString(2).length);
      const edges = [0n, 1n, 2n, 3n, p - 1n, p - 2n, (p - 1n) / 2n, (p + 1n) / 2n, (1n << (bits - 1n)) - 1n, 1n << (bits - 1n), (1n << 29n) - 1n, 1n << 29n, (1n << 232n) - 1n];
      const check = (x: bigint, y: bigint): boolean => {
        f.writeMont(A, x);
        f.writeMont(B, y);
        const results: Array<[bigint, bigint]> = [];
        f.mul(D, A, B);
        results.push([f.readMont(D), (x * y) % p]);
        f.sqr(D, A);
        results.push([f.readMont(D), (x * x) % p]);
        f.add(D, A, B);
        results.push([f.readMont(D), (x + y) % p]);
        f.sub(D, A, B);
        results.push([f.readMont(D), md(x - y, p)]);
        // Aliased operands: d = a = b.
        f.copy(D, A, f.F);
        f.mul(D, D, D);
        results.push([f.readMont(D), (x * x) % p]);
        if (x !== 0n) {
          f.invFermat(D, A);
          results.push([f.readMont(D), inv(x, p)]);
          f.invPublic(D, A);
          results.push([f.readMont(D), inv(x, p)]);
        }
        return results.every(([got, want]) => got === want);
      };
      for (const x of edges) for (const y of edges) expect(check(md(x, p), md(y, p)), `x = ${x}, y = ${y}`).toBe(true);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: p - 1n }), fc.bigInt({ min: 0n, max: p - 1n }), (x, y) => check(x, y)),
        { numRuns: 300 },
      );
      expect(f.isZero(f.at(SLOT.zero))).toBe(true);
      expect(f.isZero(f.at(SLOT.one))).toBe(false);
    });
  }
});

describe('field-wasm: point formulas equal the affine reference', () => {
  const curves = [...new Set(SET_NAMES.map(curveOf))];
  for (const curve of curves) {
    it(`${curve.name}: dbl, maddCt, maddPub incl. P + P, P + (−P), ∞ + P, 2·∞; select`, () => {
      const f: FieldWasm = createFieldWasm(curve.p, curve.a);
      const F = f.F;
      const jac = f.alloc(3 * F);
      const aff = f.alloc(2 * F);
      const G: Affine = { x: curve.gx, y: curve.gy };
      const setAffine = (at: number, P: Affine): void => {
        f.writeMont(at, P.x);
        f.writeMont(at + F, P.y);
      };
      /** Writes P as a Jacobian point with a random Z (X = x·Z², Y = y·Z³). */
      const setJacobian = (P: Affine | null): void => {
        if (P === null) {
          f.writeMont(jac, 1n);
          f.writeMont(jac + F, 1n);
          f.writeMont(jac + 2 * F, 0n);
          return;
        }
        const z = randomBelow(curve.p - 1n) + 1n;
        f.writeMont(jac, P.x * z * z);
        f.writeMont(jac + F, P.y * z * z * z);
        f.writeMont(jac + 2 * F, z);
      };
      const readJacobian = (): Affine | null => {
        const z = f.readMont(jac + 2 * F);
        if (z === 0n) return null;
        const zi = inv(z, curve.p);
        return { x: md(f.readMont(jac) * zi * zi, curve.p), y: md(f.readMont(jac + F) * zi * zi * zi, curve.p) };
      };
      let P: Affine | null = G;
      // P runs through G, 3G, 7G, …, (2^i − 1)·G: never ±5G, so P + Q is never exceptional.
      const G2 = refAdd(curve, G, G);
      const Q = refAdd(curve, G, refAdd(curve, G2, G2));
      if (Q === null) throw new Error('5G is infinity');
      for (let i = 0; i < 12; i += 1) {
        setJacobian(P);
        f.dbl(jac, jac);
        expect(readJacobian()).toEqual(refAdd(curve, P, P));
        setJacobian(P);
        setAffine(aff, Q);
        f.maddCt(jac, jac, aff);
        expect(readJacobian()).toEqual(refAdd(curve, P, Q));
        setJacobian(P);
        f.maddPub(jac, jac, aff);
        expect(readJacobian()).toEqual(refAdd(curve, P, Q));
        P = refAdd(curve, P, refAdd(curve, P, G));
      }
      if (P === null) throw new Error('unexpected infinity');
      setAffine(aff, P);
      setJacobian(P);
      f.maddPub(jac, jac, aff);
      expect(readJacobian(), 'P + P').toEqual(refAdd(curve, P, P));
      setAffine(aff, { x: P.x, y: md(-P.y, curve.p) });
      setJacobian(P);
      f.maddPub(jac, jac, aff);
      expect(readJacobian(), 'P + (−P)').toBeNull();
      setJacobian(null);
      f.maddPub(jac, jac, aff);
      expect(readJacobian(), '∞ + P').toEqual({ x: P.x, y: md(-P.y, curve.p) });
      setJacobian(null);
      f.dbl(jac, jac);
      expect(readJacobian(), '2·∞').toBeNull();

      const count = 32;
      const row = f.alloc(count * 2 * F);
      const values = Array.from({ length: count }, () => ({ x: randomBelow(curve.p), y: randomBelow(curve.p) }));
      values.forEach((v, i) => setAffine(row + i * 2 * F, v));
      for (let idx = 0; idx < count; idx += 1) {
        f.select(aff, row, count, idx);
        expect({ x: f.readMont(aff), y: f.readMont(aff + F) }).toEqual(values[idx]);
      }
    });
  }
});

describe('ec.ts (WebAssembly) equals ec-bigint.ts for every parameter set', () => {
  for (const name of SET_NAMES) {
    const curve = curveOf(name);
    const q = curve.q;
    const G: Affine = { x: curve.gx, y: curve.gy };
    it(`${name}: baseMultiply for k = 1, 2, 3, q−1, q−2, digit patterns (±63), random; 0 and q give null`, () => {
      // Odd signed digits (ec.ts): chunks of k' all 0 (digits −63) or all 63 (digits +63), the
      // last row's digit 1; even k (through q − k); the smallest and largest scalars.
      const rows = Math.ceil((q.toString(2).length - 5) / 6) + 1;
      const allPlus = (1n << BigInt(6 * (rows - 1) + 1)) - 1n;
      const ks = [1n, 2n, 3n, 63n, 64n, 65n, 127n, 128n, 1024n, q - 1n, q - 2n, q - 63n, q - 64n, allPlus % q, q - (allPlus % q), (allPlus >> 1n) | 1n];
      for (let i = 0; i < 6; i += 1) ks.push(randomBelow(q - 1n) + 1n);
      for (const k of ks) {
        if (k === 0n) continue;
        expect(baseMultiply(curve, k), `k = ${k}`).toEqual(baseMultiplyBigInt(curve, k));
      }
      expect(baseMultiply(curve, 0n)).toBeNull();
      expect(baseMultiply(curve, q)).toBeNull();
    });

    it(`${name}: doubleMultiplyPublic (new key, then cached comb) and multiplyPoint, edge cases`, () => {
      const d = randomBelow(q - 1n) + 1n;
      const Q = baseMultiplyBigInt(curve, d);
      if (Q === null) throw new Error('dG is infinity');
      const cases: Array<[bigint, bigint]> = [
        [randomBelow(q), randomBelow(q)],
        [0n, randomBelow(q)],
        [randomBelow(q), 0n],
        [0n, 0n],
        [1n, 1n],
        [q - 1n, q - 1n],
        [md(-d * 3n, q), 3n], // u·G = −v·Q: infinity
        [md(d * 5n, q), 5n], // u·G = v·Q: doubling inside the loop
        [randomBelow(q), -7n],
      ];
      for (let round = 0; round < 3; round += 1) {
        for (const [u, v] of cases) {
          const want = doubleMultiplyPublicBigInt(curve, u, Q, v);
          expect(doubleMultiplyPublic(curve, u, Q, v), `round ${round}, u = ${u}, v = ${v}`).toEqual(want);
          // The inversion-free x ≡ r (mod q) test: the right r, a wrong one, r = 0 and r = q.
          const r = want === null ? 0n : want.x % q;
          expect(verifyDoubleMultiply(curve, u, Q, v, r), `u = ${u}, v = ${v}`).toBe(want !== null);
          expect(verifyDoubleMultiply(curve, u, Q, v, (r + 1n) % q)).toBe(false);
          expect(verifyDoubleMultiply(curve, u, Q, v, q)).toBe(false);
        }
      }
      // x_C ≥ q happens (x = r + j·q, j > 0) on the cofactor-4 curves, where q ≈ p/4.
      let wrapped = 0;
      for (let i = 0; i < 16; i += 1) {
        const [u, v] = [randomBelow(q), randomBelow(q)];
        const want = doubleMultiplyPublicBigInt(curve, u, Q, v);
        if (want === null) continue;
        if (want.x >= q) wrapped += 1;
        expect(verifyDoubleMultiply(curve, u, Q, v, want.x % q)).toBe(true);
      }
      if (curve.cofactor === 4n) expect(wrapped).toBeGreaterThan(0);
      for (const k of [0n, 1n, 2n, 3n, q - 1n, q, q + 1n, randomBelow(q), randomBelow(1n << 520n), -9n]) {
        expect(multiplyPoint(curve, Q, k), `k = ${k}`).toEqual(multiplyPointBigInt(curve, Q, k));
      }
      expect(multiplyPoint(curve, G, q)).toBeNull();
    });
  }

  it('invertModQ equals the extended-Euclid inverse modulo q on every curve', () => {
    for (const curve of new Set(SET_NAMES.map(curveOf))) {
      const q = curve.q;
      for (const a of [1n, 2n, q - 1n, q - 2n, (q + 1n) / 2n, randomBelow(q - 1n) + 1n, randomBelow(q - 1n) + 1n]) {
        expect(invertModQ(curve, a), `${curve.name}, a = ${a}`).toBe(inv(a, q));
      }
      expect(invertModQ(curve, q + 5n)).toBe(inv(5n, q));
      expect(invertModQ(curve, 0n)).toBe(0n);
    }
  });

  it('random scalars and keys (fast-check) on a 256-bit and a 512-bit set', () => {
    for (const name of ['tc26-256-B', 'tc26-512-C'] as const) {
      const curve = curveOf(name);
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: curve.q - 1n }), fc.bigInt({ min: 0n, max: curve.q - 1n }), fc.bigInt({ min: 0n, max: curve.q - 1n }), (d, u, v) => {
          const Q = baseMultiply(curve, d);
          if (Q === null || !sameAffine(Q, baseMultiplyBigInt(curve, d))) return false;
          const want = doubleMultiplyPublicBigInt(curve, u, Q, v);
          for (let i = 0; i < 3; i += 1) if (!sameAffine(doubleMultiplyPublic(curve, u, Q, v), want)) return false;
          return true;
        }),
        { numRuns: 8 },
      );
    }
  });
});

function sameAffine(a: Affine | null, b: Affine | null): boolean {
  return a === null ? b === null : b !== null && a.x === b.x && a.y === b.y;
}
