import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inv, md, refAdd } from './affine-reference.ts';
import { GOST_PARAM_SETS, type GostCurve, type GostParamSetName } from './curves.ts';
import { baseMultiply, baseMultiplyX, doubleMultiplyPublic, edwardsForm, invModLehmer, invertModQ, multiplyPoint, verifyDoubleMultiply, type Affine } from './ec.ts';
import { baseMultiplyBigInt, doubleMultiplyPublicBigInt, modPow, multiplyPointBigInt } from './ec-bigint.ts';
import { SLOT, createFieldWasm, type FieldWasm } from './field-wasm.ts';

/**
 * The WebAssembly paths (field-wasm.ts, ec.ts) against BigInt: field operations against
 * BigInt `%`, point operations against textbook affine formulas, scalar multiplications
 * against ec-bigint.ts (the previous, independent implementation), for all 12 parameter sets.
 */
const randomBelow = (n: bigint): bigint => md(BigInt(`0x${randomBytes(80).toString('hex')}`), n);

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
        const want = baseMultiplyBigInt(curve, k);
        expect(baseMultiply(curve, k), `k = ${k}`).toEqual(want);
        expect(baseMultiplyX(curve, k), `k = ${k}`).toBe(want?.x ?? null);
      }
      expect(baseMultiply(curve, 0n)).toBeNull();
      expect(baseMultiply(curve, q)).toBeNull();
      expect(baseMultiplyX(curve, 0n)).toBeNull();
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

/** A random point of the whole curve (order q, 2q or 4q on the cofactor-4 curves); p ≡ 3 (mod 4). */
function randomCurvePoint(curve: GostCurve): Affine {
  const p = curve.p;
  expect(p % 4n).toBe(3n);
  for (;;) {
    const x = randomBelow(p);
    const rhs = md(x * x * x + curve.a * x + curve.b, p);
    const y = modPow(rhs, (p + 1n) / 4n, p);
    if ((y * y) % p === rhs) return { x, y };
  }
}

/**
 * The first-use verification path on the curves with a twisted Edwards form (ec.ts: TC26 256-A
 * and 512-C, extended coordinates, complete addition), and a Weierstrass-only control set,
 * against ec-bigint.ts. Every verifyDoubleMultiply call here gets a key it has not seen, so
 * none takes the cached-comb path.
 */
describe('ec.ts first-use verification (Edwards form where the curve has one) equals ec-bigint.ts', () => {
  for (const name of ['tc26-256-A', 'tc26-512-C', 'tc26-256-B'] as const) {
    const curve = curveOf(name);
    const q = curve.q;
    /** verifyDoubleMultiply on a new key with the right r and (another new key) a wrong one. */
    const check = (label: string, u: bigint, v: bigint, makeKey: () => Affine): void => {
      const [Q1, Q2] = [makeKey(), makeKey()];
      for (const [Q, wrong] of [
        [Q1, false],
        [Q2, true],
      ] as const) {
        const want = doubleMultiplyPublicBigInt(curve, u, Q, v);
        const r = want === null ? 0n : want.x % q;
        const expected = want !== null && !wrong;
        expect(verifyDoubleMultiply(curve, u, Q, v, wrong ? (r + 1n) % q : r), `${label}: u = ${u}, v = ${v}, Q = ${Q.x}`).toBe(expected);
      }
    };
    const freshKey = (): { d: bigint; Q: Affine } => {
      const d = randomBelow(q - 1n) + 1n;
      const Q = baseMultiplyBigInt(curve, d);
      if (Q === null) throw new Error('dG is infinity');
      return { d, Q };
    };

    it(`${name}: the Edwards form is ${name === 'tc26-256-B' ? 'absent' : 'present and checks out (d not a square)'}`, () => {
      const form = edwardsForm(curve);
      if (name === 'tc26-256-B') expect(form).toBeNull();
      else {
        if (form === null) throw new Error('no Edwards form');
        // Complete addition needs d a non-square (Bernstein–Lange): Euler's criterion.
        expect(modPow(form.d, (curve.p - 1n) / 2n, curve.p)).toBe(curve.p - 1n);
      }
    });

    it(`${name}: random and edge scalars with new keys (right r true, wrong r false)`, () => {
      const bits = q.toString(2).length;
      const scalars: Array<[bigint, bigint]> = [
        [0n, randomBelow(q)],
        [randomBelow(q), 0n],
        [0n, 0n],
        [1n, 1n],
        [q - 1n, q - 1n],
        [(1n << BigInt(bits - 1)) - 1n, (1n << BigInt(bits - 1)) - 1n], // long runs of ones: NAF carries
        [randomBelow(q), (1n << BigInt(bits - 2)) | 1n],
      ];
      for (let i = 0; i < 6; i += 1) scalars.push([randomBelow(q), randomBelow(q)]);
      for (const [u, v] of scalars) check('scalars', u, v, () => freshKey().Q);
      // u·G = −v·Q (C = ∞: false for every r) and u·G = v·Q (C = 2u·G).
      for (const sign of [-1n, 1n]) {
        for (let i = 0; i < 2; i += 1) {
          const { d, Q } = freshKey();
          const v = randomBelow(q - 1n) + 1n;
          const u = md(sign * d * v, q);
          const want = doubleMultiplyPublicBigInt(curve, u, Q, v);
          expect(want === null).toBe(sign === -1n);
          const r = want === null ? 0n : want.x % q;
          expect(verifyDoubleMultiply(curve, u, Q, v, r)).toBe(want !== null);
        }
      }
    });

    it(`${name}: keys outside the order-q subgroup and of small order (maps' exceptional points)`, () => {
      for (let i = 0; i < 6; i += 1) {
        const R = randomCurvePoint(curve);
        const T = multiplyPointBigInt(curve, R, q); // order 1, 2 or 4
        const keys: Affine[] = [R];
        if (T !== null) {
          keys.push(T);
          const T2 = multiplyPointBigInt(curve, T, 2n);
          if (T2 !== null) keys.push(T2); // order 2: y = 0, no Edwards image
        }
        for (const K of keys) {
          for (const [u, v] of [
            [randomBelow(q), randomBelow(q)],
            [0n, randomBelow(q)],
            [randomBelow(q), 4n * randomBelow(q)],
          ] as const) {
            const want = doubleMultiplyPublicBigInt(curve, u, K, v);
            const r = want === null ? 0n : want.x % q;
            expect(verifyDoubleMultiply(curve, u, K, v, r), `K = (${K.x}, ${K.y}), u = ${u}, v = ${v}`).toBe(want !== null);
            expect(verifyDoubleMultiply(curve, u, K, v, (r + 1n) % q)).toBe(false);
          }
        }
      }
    });

    it(`${name}: random scalars and new keys (fast-check)`, () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: q - 1n }), fc.bigInt({ min: 0n, max: q - 1n }), fc.bigInt({ min: 0n, max: q - 1n }), (d, u, v) => {
          const Q = baseMultiply(curve, d);
          if (Q === null) return false;
          const want = doubleMultiplyPublicBigInt(curve, u, Q, v);
          return verifyDoubleMultiply(curve, u, Q, v, want === null ? 0n : want.x % q) === (want !== null);
        }),
        { numRuns: curve.bits === 256 ? 40 : 12 },
      );
    });
  }

  it('field-wasm Edwards formulas (edDbl, edMadd, edPadd, edAdd and their T-less forms) equal the Weierstrass reference through the maps', () => {
    for (const name of ['tc26-256-A', 'tc26-512-C'] as const) {
      const curve = curveOf(name);
      const form = edwardsForm(curve);
      if (form === null) throw new Error('no Edwards form');
      const { d, s, t } = form;
      const p = curve.p;
      const toEd = (P: Affine): Affine => ({ x: md((P.x - t) * inv(P.y, p), p), y: md((P.x - t - s) * inv(P.x - t + s, p), p) });
      /** Edwards affine (u, v) back to Weierstrass; (0, 1) is the neutral element. */
      const fromEd = (E: Affine): Affine | null => {
        if (E.x === 0n && E.y === 1n) return null;
        const x = md((s * (1n + E.y)) * inv(1n - E.y, p) + t, p);
        return E.x === 0n ? { x, y: 0n } : { x, y: md(s * (1n + E.y) * inv(md((1n - E.y) * E.x, p), p), p) };
      };
      const f = createFieldWasm(p, curve.a);
      const F = f.F;
      const [A, B, D, K] = [f.alloc(4 * F), f.alloc(4 * F), f.alloc(4 * F), f.alloc(F)];
      f.writeMont(K, d);
      /** Extended point (x·z, y·z, z, x·y·z) for a random z ≠ 0, and the precomputed entry. */
      const writeExt = (at: number, E: Affine): void => {
        const z = randomBelow(p - 1n) + 1n;
        [E.x * z, E.y * z, z, E.x * E.y * z].forEach((v, i) => f.writeMont(at + i * F, md(v, p)));
      };
      const writeEntry = (at: number, E: Affine): void => {
        [E.x, E.y, E.x + E.y, d * E.x * E.y].forEach((v, i) => f.writeMont(at + i * F, md(v, p)));
      };
      const readExt = (at: number, withT: boolean): Affine => {
        const [X, Y, Z, T] = [0, 1, 2, 3].map((i) => f.readMont(at + i * F));
        const zi = inv(Z ?? 0n, p);
        const E = { x: md((X ?? 0n) * zi, p), y: md((Y ?? 0n) * zi, p) };
        if (withT) expect(md((T ?? 0n) * zi, p)).toBe(md(E.x * E.y, p));
        return E;
      };
      const G: Affine = { x: curve.gx, y: curve.gy };
      const R = randomCurvePoint(curve);
      const P1 = baseMultiplyBigInt(curve, randomBelow(curve.q - 1n) + 1n) ?? G;
      const pairs: Array<[Affine, Affine]> = [
        [P1, R],
        [R, R], // P + P through the addition law
        [R, { x: R.x, y: md(-R.y, p) }], // P + (−P) = neutral
        [G, P1],
      ];
      for (const [P, Q] of pairs) {
        const want = refAdd(curve, P, Q);
        const [EP, EQ] = [toEd(P), toEd(Q)];
        for (const withT of [true, false]) {
          writeExt(A, EP);
          writeEntry(B, EQ);
          (withT ? f.edMadd : f.edMaddP)(D, A, B);
          expect(fromEd(readExt(D, withT)), `${name} madd`).toEqual(want);
          // Projective entry (X, Y, X + Y, d·T, Z) of Q for a random Z.
          const z = randomBelow(p - 1n) + 1n;
          const pre = [EQ.x * z, EQ.y * z, (EQ.x + EQ.y) * z, d * EQ.x * EQ.y * z, z];
          const P5 = f.alloc(5 * F);
          pre.forEach((v, i) => f.writeMont(P5 + i * F, md(v, p)));
          (withT ? f.edPadd : f.edPaddP)(D, A, P5);
          expect(fromEd(readExt(D, withT)), `${name} padd`).toEqual(want);
          writeExt(B, EQ);
          if (withT) {
            f.edAdd(D, A, B, K);
            expect(fromEd(readExt(D, true)), `${name} add`).toEqual(want);
          }
          writeExt(A, EP);
          (withT ? f.edDbl : f.edDblP)(A, A); // aliased d = s
          expect(fromEd(readExt(A, withT)), `${name} dbl`).toEqual(refAdd(curve, P, P));
        }
      }
    }
  });

  it('invModLehmer equals the extended-Euclid inverse (every q and p, edge and random values, gcd ≠ 1 gives 0)', () => {
    const moduli = [...new Set(SET_NAMES.flatMap((n) => [curveOf(n).q, curveOf(n).p]))];
    for (const m of moduli) {
      const edges = [1n, 2n, 3n, m - 1n, m - 2n, (m + 1n) / 2n, (1n << 46n) - 1n, 1n << 46n, (1n << 200n) + 1n];
      for (const a of edges) expect(invModLehmer(a, m), `m = ${m}, a = ${a}`).toBe(inv(a, m));
      for (let i = 0; i < 300; i += 1) {
        const a = randomBelow(m - 1n) + 1n;
        expect(invModLehmer(a, m)).toBe(inv(a, m));
      }
      expect(invModLehmer(0n, m)).toBe(0n);
      expect(invModLehmer(m, m)).toBe(0n);
      expect(invModLehmer(-3n, m)).toBe(inv(-3n, m));
    }
    // A composite modulus: 0 when gcd(a, m) ≠ 1, else the inverse.
    const m = (1n << 255n) - 1n;
    expect(invModLehmer(7n * 31n, m)).toBe(0n);
    expect(invModLehmer(5n, m)).toBe(inv(5n, m));
  });
});

function sameAffine(a: Affine | null, b: Affine | null): boolean {
  return a === null ? b === null : b !== null && a.x === b.x && a.y === b.y;
}
