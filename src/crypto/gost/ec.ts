/**
 * Short-Weierstrass elliptic-curve arithmetic over BigInt for GOST R 34.10-2012, in Jacobian
 * coordinates (X, Y, Z) ~ (X/Z², Y/Z³), Z = 0 for the point at infinity.
 *
 * Side channels: JavaScript BigInt arithmetic is not constant-time (its cost depends on the
 * operands' magnitudes) and table reads are not hidden from the cache. What this module does:
 * scalar multiplication by a secret (signing, key generation) runs a fixed sequence of
 * operations that does not depend on the scalar's bits (the same number of additions for every
 * scalar, no early exit, no branch on a digit). The only data-dependent branches are the
 * exceptional cases of the addition formulas, which a random scalar reaches with negligible
 * probability (about 2^-250).
 */
import type { GostCurve } from './curves.ts';

export interface Affine {
  x: bigint;
  y: bigint;
}
interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n };

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a^e mod m by square-and-multiply over the bits of the PUBLIC exponent e. */
export function modPow(a: bigint, e: bigint, m: bigint): bigint {
  let result = 1n;
  let base = mod(a, m);
  for (let k = e; k > 0n; k >>= 1n) {
    if ((k & 1n) === 1n) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result;
}

/** Inverse modulo a prime by Fermat's little theorem (a fixed exponent, so a fixed sequence). */
export function modInvPrime(a: bigint, p: bigint): bigint {
  return modPow(a, p - 2n, p);
}

/**
 * Inverse of a PUBLIC value modulo m by the extended Euclidean algorithm: variable-time, about
 * 5× faster than modInvPrime with BigInt, so used on verification paths only.
 */
export function modInvPublic(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const quotient = r0 / r1;
    [r0, r1] = [r1, r0 - quotient * r1];
    [s0, s1] = [s1, s0 - quotient * s1];
  }
  return mod(s0, m);
}

export function isOnCurve(curve: GostCurve, point: Affine): boolean {
  const { p, a, b } = curve;
  const { x, y } = point;
  if (x < 0n || x >= p || y < 0n || y >= p) return false;
  return (y * y - (x * x * x + a * x + b)) % p === 0n;
}

function double(curve: GostCurve, P: Jacobian): Jacobian {
  if (P.z === 0n) return P;
  const p = curve.p;
  const xx = (P.x * P.x) % p;
  const yy = (P.y * P.y) % p;
  const yyyy = (yy * yy) % p;
  const zz = (P.z * P.z) % p;
  const xyy = P.x + yy;
  const s = mod(2n * (xyy * xyy - xx - yyyy), p);
  const m = mod(3n * xx + curve.a * ((zz * zz) % p), p);
  const t = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - t) - 8n * yyyy, p);
  const yz = P.y + P.z;
  const z3 = mod(yz * yz - yy - zz, p);
  return { x: t, y: y3, z: z3 };
}

/** P + Q with Q affine (madd-2007-bl). */
function addAffine(curve: GostCurve, P: Jacobian, Q: Affine): Jacobian {
  if (P.z === 0n) return { x: Q.x, y: Q.y, z: 1n };
  const p = curve.p;
  const z1z1 = (P.z * P.z) % p;
  const u2 = (Q.x * z1z1) % p;
  const s2 = (((Q.y * P.z) % p) * z1z1) % p;
  const h = mod(u2 - P.x, p);
  const r = mod(2n * (s2 - P.y), p);
  if (h === 0n) return r === 0n ? double(curve, P) : INFINITY;
  const hh = (h * h) % p;
  const i = 4n * hh;
  const j = (h * i) % p;
  const v = (P.x * i) % p;
  const x3 = mod(r * r - j - 2n * v, p);
  const y3 = mod(r * (v - x3) - 2n * ((P.y * j) % p), p);
  const zh = P.z + h;
  const z3 = mod(zh * zh - z1z1 - hh, p);
  return { x: x3, y: y3, z: z3 };
}

/** P + Q, both Jacobian (add-2007-bl). */
function add(curve: GostCurve, P: Jacobian, Q: Jacobian): Jacobian {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const p = curve.p;
  const z1z1 = (P.z * P.z) % p;
  const z2z2 = (Q.z * Q.z) % p;
  const u1 = (P.x * z2z2) % p;
  const u2 = (Q.x * z1z1) % p;
  const s1 = (((P.y * Q.z) % p) * z2z2) % p;
  const s2 = (((Q.y * P.z) % p) * z1z1) % p;
  const h = mod(u2 - u1, p);
  const rr = mod(s2 - s1, p);
  if (h === 0n) return rr === 0n ? double(curve, P) : INFINITY;
  const i = (4n * h * h) % p;
  const j = (h * i) % p;
  const r = 2n * rr;
  const v = (u1 * i) % p;
  const x3 = mod(r * r - j - 2n * v, p);
  const y3 = mod(r * (v - x3) - 2n * ((s1 * j) % p), p);
  const zz = P.z + Q.z;
  const z3 = (mod(zz * zz - z1z1 - z2z2, p) * h) % p;
  return { x: x3, y: y3, z: z3 };
}

function toAffine(curve: GostCurve, P: Jacobian, secret = true): Affine | null {
  if (P.z === 0n) return null;
  const p = curve.p;
  const zi = secret ? modInvPrime(P.z, p) : modInvPublic(P.z, p);
  const zi2 = (zi * zi) % p;
  return { x: (P.x * zi2) % p, y: (((P.y * zi2) % p) * zi) % p };
}

/** Converts many points with one inversion (Montgomery's trick); none may be infinity. */
function batchToAffine(curve: GostCurve, points: readonly Jacobian[]): Affine[] {
  const p = curve.p;
  const prefix: bigint[] = [];
  let acc = 1n;
  for (const P of points) {
    prefix.push(acc);
    acc = (acc * P.z) % p;
  }
  let inv = modInvPrime(acc, p);
  const out: Affine[] = new Array<Affine>(points.length);
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const P = points[i] ?? INFINITY;
    const zi = (inv * (prefix[i] ?? 1n)) % p;
    inv = (inv * P.z) % p;
    const zi2 = (zi * zi) % p;
    out[i] = { x: (P.x * zi2) % p, y: (((P.y * zi2) % p) * zi) % p };
  }
  return out;
}

/**
 * Fixed-base comb: row i holds (j+1)·16^i·G for j = 0..15, so every 4-bit digit position costs
 * exactly one mixed addition and no digit needs a "skip" (see baseMultiply).
 */
interface BaseTable {
  rows: number;
  /** rows × 16 entries, row-major. */
  points: Affine[];
  /** Σ 16^i for i < rows: the offset that turns digits 0..15 into 1..16. */
  offset: bigint;
}

const baseTables = new WeakMap<GostCurve, BaseTable>();

function baseTable(curve: GostCurve): BaseTable {
  const cached = baseTables.get(curve);
  if (cached !== undefined) return cached;
  const rows = Math.ceil(curve.q.toString(2).length / 4);
  const jac: Jacobian[] = [];
  let rowBase: Jacobian = { x: curve.gx, y: curve.gy, z: 1n };
  for (let i = 0; i < rows; i += 1) {
    let acc = rowBase;
    jac.push(acc);
    for (let j = 1; j < 16; j += 1) {
      acc = add(curve, acc, rowBase);
      jac.push(acc);
    }
    rowBase = acc; // 16·16^i·G
  }
  let offset = 0n;
  for (let i = 0; i < rows; i += 1) offset += 1n << BigInt(4 * i);
  const table: BaseTable = { rows, points: batchToAffine(curve, jac), offset };
  baseTables.set(curve, table);
  return table;
}

/**
 * k·G for a secret k in [1, q-1]. Writes k + m·q − offset (m chosen so the value is
 * non-negative) in base 16 over a fixed number of digits d_i ∈ 0..15; then
 * k·G = Σ (d_i + 1)·16^i·G, one table read and one mixed addition per digit, whatever k is.
 */
export function baseMultiply(curve: GostCurve, k: bigint): Affine | null {
  const table = baseTable(curve);
  const kk = mod(k - table.offset, curve.q);
  let acc: Jacobian = INFINITY;
  for (let i = 0; i < table.rows; i += 1) {
    const digit = Number((kk >> BigInt(4 * i)) & 15n);
    acc = addAffine(curve, acc, table.points[i * 16 + digit] ?? { x: 0n, y: 0n });
  }
  return toAffine(curve, acc);
}

/** k·P for a PUBLIC scalar (verification): 4-bit fixed window, branches allowed. */
function multiplyPublic(curve: GostCurve, P: Affine, k: bigint): Jacobian {
  const window: Jacobian[] = [INFINITY, { x: P.x, y: P.y, z: 1n }];
  for (let j = 2; j < 16; j += 1) window.push(add(curve, window[j - 1] ?? INFINITY, window[1] ?? INFINITY));
  let acc: Jacobian = INFINITY;
  const digits = Math.ceil(k.toString(2).length / 4);
  for (let i = digits - 1; i >= 0; i -= 1) {
    acc = double(curve, double(curve, double(curve, double(curve, acc))));
    const digit = Number((k >> BigInt(4 * i)) & 15n);
    if (digit !== 0) acc = add(curve, acc, window[digit] ?? INFINITY);
  }
  return acc;
}

/** u·G + v·P for public u, v (signature verification); null if the sum is the point at infinity. */
export function doubleMultiplyPublic(curve: GostCurve, u: bigint, P: Affine, v: bigint): Affine | null {
  const table = baseTable(curve);
  const uu = mod(u - table.offset, curve.q);
  let acc: Jacobian = INFINITY;
  for (let i = 0; i < table.rows; i += 1) {
    acc = addAffine(curve, acc, table.points[i * 16 + Number((uu >> BigInt(4 * i)) & 15n)] ?? { x: 0n, y: 0n });
  }
  return toAffine(curve, add(curve, acc, multiplyPublic(curve, P, v)), false);
}

/** k·P for a public k and point P; null for the point at infinity (used for q·P = O checks). */
export function multiplyPoint(curve: GostCurve, P: Affine, k: bigint): Affine | null {
  return toAffine(curve, multiplyPublic(curve, P, k), false);
}
