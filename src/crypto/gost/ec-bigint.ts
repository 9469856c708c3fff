/**
 * The BigInt implementation of GOST R 34.10-2012 curve arithmetic (short Weierstrass, Jacobian
 * coordinates), kept as the fallback of ec.ts for the inputs its WebAssembly paths do not take
 * (points of order 2 among public points, a result at infinity in the middle of a table build,
 * the negligible-probability exceptional addition in signing) and as a second implementation the
 * tests compare against. It was the production path before ec.ts moved to field-wasm.ts.
 *
 * Reduction by the pseudo-Mersenne fold of field.ts; dbl-2001-b when a = −3; a 6-bit
 * fixed-digit table for k·G; interleaved Lim–Lee combs / width-5 NAF for u·G + v·Q.
 * JavaScript BigInt arithmetic is not constant-time.
 */
import type { GostCurve } from './curves.ts';
import { makeReducer, type Reducer } from './field.ts';

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

/** Per-curve state, built lazily and cached for the life of the process. */
interface CurveCtx {
  p: bigint;
  q: bigint;
  red: Reducer;
  /** a mod p. */
  a: bigint;
  /** a = −3 (mod p): CryptoPro A/B/C and TC26 512-A/B; doubling then saves two multiplications. */
  aIsMinus3: boolean;
  /** Comb spacing d = ⌈bits(q) / COMB_TEETH⌉ shared by the G table and every public-key table. */
  combSpacing: number;
  base?: BaseTable;
  gComb?: readonly Affine[];
  keys: Map<string, KeyEntry>;
}

interface KeyEntry {
  /** undefined: seen once, no table yet; null: the point has no usable table (a torsion point). */
  table: readonly Affine[] | null | undefined;
}

/** Teeth of the Lim–Lee combs used on verification paths: 2^8 − 1 points per table. */
export const COMB_TEETH = 8;
/**
 * Public keys whose comb table is kept (per curve). A table is about 32 KB (256-bit) or 50 KB
 * (512-bit); a key gets one the second time it is seen, so a one-off key costs nothing extra.
 */
export const KEY_CACHE_SIZE = 256;

const contexts = new WeakMap<GostCurve, CurveCtx>();

function ctxOf(curve: GostCurve): CurveCtx {
  const cached = contexts.get(curve);
  if (cached !== undefined) return cached;
  const a = mod(curve.a, curve.p);
  const ctx: CurveCtx = {
    p: curve.p,
    q: curve.q,
    red: makeReducer(curve.p),
    a,
    aIsMinus3: a === curve.p - 3n,
    combSpacing: Math.ceil(curve.q.toString(2).length / COMB_TEETH),
    keys: new Map(),
  };
  contexts.set(curve, ctx);
  return ctx;
}

/** 2P: dbl-2001-b (3M + 5S) when a = −3, else dbl-2007-bl (1M + 8S + one multiplication by a). */
function double(c: CurveCtx, P: Jacobian): Jacobian {
  if (P.z === 0n) return P;
  const red = c.red;
  if (c.aIsMinus3) {
    const delta = red(P.z * P.z);
    const gamma = red(P.y * P.y);
    const beta = red(P.x * gamma);
    const alpha = red(3n * (P.x - delta) * (P.x + delta));
    const x3 = red(alpha * alpha - 8n * beta);
    const yz = P.y + P.z;
    const z3 = red(yz * yz - gamma - delta);
    const y3 = red(alpha * (4n * beta - x3) - 8n * gamma * gamma);
    return { x: x3, y: y3, z: z3 };
  }
  const xx = red(P.x * P.x);
  const yy = red(P.y * P.y);
  const yyyy = red(yy * yy);
  const zz = red(P.z * P.z);
  const xyy = P.x + yy;
  const s = red(2n * (xyy * xyy - xx - yyyy));
  const m = red(3n * xx + c.a * red(zz * zz));
  const t = red(m * m - 2n * s);
  const y3 = red(m * (s - t) - 8n * yyyy);
  const yz = P.y + P.z;
  const z3 = red(yz * yz - yy - zz);
  return { x: t, y: y3, z: z3 };
}

/** P + Q with Q affine (madd-2007-bl, 7M + 4S). */
function addAffine(c: CurveCtx, P: Jacobian, Q: Affine): Jacobian {
  if (P.z === 0n) return { x: Q.x, y: Q.y, z: 1n };
  const red = c.red;
  const z1z1 = red(P.z * P.z);
  const u2 = red(Q.x * z1z1);
  const s2 = red(Q.y * red(P.z * z1z1));
  const h = red(u2 - P.x);
  const r = red(2n * (s2 - P.y));
  if (h === 0n) return r === 0n ? double(c, P) : INFINITY;
  const hh = red(h * h);
  const i = 4n * hh;
  const j = red(h * i);
  const v = red(P.x * i);
  const x3 = red(r * r - j - 2n * v);
  const y3 = red(r * (v - x3) - 2n * P.y * j);
  const zh = P.z + h;
  const z3 = red(zh * zh - z1z1 - hh);
  return { x: x3, y: y3, z: z3 };
}

/** P + Q, both Jacobian (add-2007-bl, 11M + 5S). */
function add(c: CurveCtx, P: Jacobian, Q: Jacobian): Jacobian {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const red = c.red;
  const z1z1 = red(P.z * P.z);
  const z2z2 = red(Q.z * Q.z);
  const u1 = red(P.x * z2z2);
  const u2 = red(Q.x * z1z1);
  const s1 = red(P.y * red(Q.z * z2z2));
  const s2 = red(Q.y * red(P.z * z1z1));
  const h = red(u2 - u1);
  const rr = red(s2 - s1);
  if (h === 0n) return rr === 0n ? double(c, P) : INFINITY;
  const i = red(4n * h * h);
  const j = red(h * i);
  const r = 2n * rr;
  const v = red(u1 * i);
  const x3 = red(r * r - j - 2n * v);
  const y3 = red(r * (v - x3) - 2n * s1 * j);
  const zz = P.z + Q.z;
  const z3 = red(red(zz * zz - z1z1 - z2z2) * h);
  return { x: x3, y: y3, z: z3 };
}

function negate(c: CurveCtx, P: Jacobian): Jacobian {
  return P.y === 0n ? P : { x: P.x, y: c.p - P.y, z: P.z };
}

/** a^e mod p with a 4-bit fixed window over the PUBLIC exponent e (a fixed sequence for a given e). */
function powFixed(c: CurveCtx, a: bigint, e: bigint): bigint {
  const red = c.red;
  const table: bigint[] = [1n, red(a)];
  for (let i = 2; i < 16; i += 1) table.push(red((table[i - 1] ?? 1n) * (table[1] ?? 1n)));
  const hex = e.toString(16);
  let result = 1n;
  for (let i = 0; i < hex.length; i += 1) {
    result = red(result * result);
    result = red(result * result);
    result = red(result * result);
    result = red(result * result);
    result = red(result * (table[Number.parseInt(hex.charAt(i), 16)] ?? 1n));
  }
  return result;
}

function toAffine(c: CurveCtx, P: Jacobian, secret = true): Affine | null {
  if (P.z === 0n) return null;
  const red = c.red;
  const zi = secret ? powFixed(c, P.z, c.p - 2n) : modInvPublic(P.z, c.p);
  const zi2 = red(zi * zi);
  return { x: red(P.x * zi2), y: red(red(P.y * zi2) * zi) };
}

/** Converts many points with one inversion (Montgomery's trick); null if any is infinity. */
function batchToAffine(c: CurveCtx, points: readonly Jacobian[]): Affine[] | null {
  const red = c.red;
  const prefix: bigint[] = [];
  let acc = 1n;
  for (const P of points) {
    if (P.z === 0n) return null;
    prefix.push(acc);
    acc = red(acc * P.z);
  }
  let inv = modInvPublic(acc, c.p);
  const out: Affine[] = new Array<Affine>(points.length);
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const P = points[i] ?? INFINITY;
    const zi = red(inv * (prefix[i] ?? 1n));
    inv = red(inv * P.z);
    const zi2 = red(zi * zi);
    out[i] = { x: red(P.x * zi2), y: red(red(P.y * zi2) * zi) };
  }
  return out;
}

/** Digit width of the signing table: 2^6 points a row, ⌈bits(q)/6⌉ mixed additions per k·G (43 for 256-bit q). */
const BASE_WIDTH = 6;
const BASE_RADIX = 1 << BASE_WIDTH;

/**
 * Fixed-base table for SECRET scalars: row i holds (j+1)·64^i·G for j = 0..63, so every 6-bit
 * digit position costs exactly one mixed addition and no digit needs a "skip" (see baseMultiply).
 */
interface BaseTable {
  rows: number;
  /** rows × BASE_RADIX entries, row-major. */
  points: Affine[];
  /** Σ 64^i for i < rows: the offset that turns digits 0..63 into 1..64. */
  offset: bigint;
}

function baseTable(curve: GostCurve, c: CurveCtx): BaseTable {
  if (c.base !== undefined) return c.base;
  const rows = Math.ceil(curve.q.toString(2).length / BASE_WIDTH);
  const jac: Jacobian[] = [];
  let rowBase: Jacobian = { x: curve.gx, y: curve.gy, z: 1n };
  for (let i = 0; i < rows; i += 1) {
    let acc = rowBase;
    jac.push(acc);
    for (let j = 1; j < BASE_RADIX; j += 1) {
      acc = add(c, acc, rowBase);
      jac.push(acc);
    }
    rowBase = acc; // 64·64^i·G
  }
  let offset = 0n;
  for (let i = 0; i < rows; i += 1) offset += 1n << BigInt(BASE_WIDTH * i);
  const points = batchToAffine(c, jac);
  if (points === null) throw new Error(`curve ${curve.name}: a table entry is infinity (G does not have order q)`);
  c.base = { rows, points, offset };
  return c.base;
}

/**
 * Lim–Lee comb (Lim and Lee, CRYPTO '94) for PUBLIC scalars below 2^(teeth·d): entry m
 * (1 ≤ m < 2^teeth) is Σ over the set bits t of m of 2^(t·d)·B, so k·B costs d − 1 doublings
 * and at most d mixed additions. The doublings are shared when two combs with the same d run
 * in one loop, which is how u·G + v·Q costs 31 doublings and ≤ 64 additions for a 256-bit q.
 * null if an entry is infinity (B of small order), where the caller falls back to wNAF.
 */
function buildComb(c: CurveCtx, B: Affine): Affine[] | null {
  const d = c.combSpacing;
  const bases: Jacobian[] = [{ x: B.x, y: B.y, z: 1n }];
  for (let t = 1; t < COMB_TEETH; t += 1) {
    let P = bases[t - 1] ?? INFINITY;
    for (let i = 0; i < d; i += 1) P = double(c, P);
    bases.push(P);
  }
  const entries: Jacobian[] = [INFINITY];
  for (let m = 1; m < 1 << COMB_TEETH; m += 1) {
    const t = 31 - Math.clz32(m);
    entries.push(add(c, entries[m - (1 << t)] ?? INFINITY, bases[t] ?? INFINITY));
  }
  const affine = batchToAffine(c, entries.slice(1));
  return affine === null ? null : [{ x: 0n, y: 0n }, ...affine];
}

/** Column j of k for a comb: bit t·d + j of k as bit t, for every j < d. k must be below 2^(teeth·d). */
export function combColumns(k: bigint, d: number): Uint8Array {
  const width = COMB_TEETH * d;
  const s = k.toString(2);
  const cols = new Uint8Array(d);
  for (let pos = 0; pos < s.length; pos += 1) {
    if (s.charCodeAt(s.length - 1 - pos) === 49) {
      const t = Math.floor(pos / d);
      cols[pos - t * d] = (cols[pos - t * d] ?? 0) | (1 << t);
    }
  }
  if (s.length > width) throw new Error('combColumns: scalar too large for the comb');
  return cols;
}

/**
 * Width-w NAF of a non-negative k (Solinas; Hankerson–Menezes–Vanstone Alg. 3.35): digits odd
 * in ±[1, 2^(w−1)) or 0, any w consecutive digits with at most one non-zero. Index i is the
 * coefficient of 2^i. Computed from the binary string: no BigInt arithmetic per bit.
 */
export function wnaf(k: bigint, w: number): Int8Array {
  const s = k.toString(2);
  const n = s.length + 1;
  const bits = new Uint8Array(n + w);
  for (let i = 0; i < s.length; i += 1) bits[i] = s.charCodeAt(s.length - 1 - i) - 48;
  const out = new Int8Array(n);
  const full = 1 << w;
  const half = full >> 1;
  let carry = 0;
  let i = 0;
  while (i < n) {
    const b = (bits[i] ?? 0) + carry;
    if ((b & 1) === 0) {
      carry = b >> 1;
      i += 1;
      continue;
    }
    let value = 1;
    for (let j = 1; j < w; j += 1) value += (bits[i + j] ?? 0) << j;
    if (value >= half) {
      out[i] = value - full;
      carry = 1;
    } else {
      out[i] = value;
      carry = 0;
    }
    i += w;
  }
  return out;
}

const WNAF_WIDTH = 5;

/**
 * u·G + v·P for public u, v by one double-and-add loop over v's width-5 NAF, the G comb's
 * additions slotted into its last d positions (shared doublings). Handles any P, including
 * points of small order, through the complete case analysis of add().
 */
function doubleMultiplyWnaf(c: CurveCtx, gCols: Uint8Array | null, gComb: readonly Affine[], P: Affine, v: bigint): Jacobian {
  const naf = wnaf(v, WNAF_WIDTH);
  const Pj: Jacobian = { x: P.x, y: P.y, z: 1n };
  const P2 = double(c, Pj);
  const window: Jacobian[] = [Pj];
  for (let i = 1; i < 1 << (WNAF_WIDTH - 2); i += 1) window.push(add(c, window[i - 1] ?? INFINITY, P2));
  let top = naf.length - 1;
  while (top >= 0 && naf[top] === 0) top -= 1;
  const d = gCols === null ? 0 : gCols.length;
  let acc: Jacobian = INFINITY;
  for (let i = Math.max(top, d - 1); i >= 0; i -= 1) {
    acc = double(c, acc);
    const digit = naf[i] ?? 0;
    if (digit > 0) acc = add(c, acc, window[(digit - 1) >> 1] ?? INFINITY);
    else if (digit < 0) acc = add(c, acc, negate(c, window[(-digit - 1) >> 1] ?? INFINITY));
    if (i < d) {
      const m = gCols?.[i] ?? 0;
      if (m !== 0) acc = addAffine(c, acc, gComb[m] ?? INFINITY);
    }
  }
  return acc;
}

function gCombOf(curve: GostCurve, c: CurveCtx): readonly Affine[] {
  if (c.gComb !== undefined) return c.gComb;
  const table = buildComb(c, { x: curve.gx, y: curve.gy });
  if (table === null) throw new Error(`curve ${curve.name}: G does not have order q`);
  c.gComb = table;
  return table;
}

/** The cached comb table for public key P, built the second time P is seen; null: use wNAF. */
function keyComb(c: CurveCtx, P: Affine): readonly Affine[] | null {
  const id = `${P.x.toString(16)}:${P.y.toString(16)}`;
  const entry = c.keys.get(id);
  if (entry === undefined) {
    c.keys.set(id, { table: undefined });
    if (c.keys.size > KEY_CACHE_SIZE) {
      const oldest = c.keys.keys().next();
      if (oldest.done !== true) c.keys.delete(oldest.value);
    }
    return null;
  }
  // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
  c.keys.delete(id);
  c.keys.set(id, entry);
  if (entry.table === undefined) entry.table = buildComb(c, P);
  return entry.table;
}

/**
 * k·G for a secret k in [1, q-1]. Writes k + m·q − offset (m chosen so the value is
 * non-negative) in base 64 over a fixed number of digits d_i ∈ 0..63; then
 * k·G = Σ (d_i + 1)·64^i·G, one table read and one mixed addition per digit, whatever k is.
 * The final inversion is Fermat's (a fixed exponent, so a fixed sequence).
 */
export function baseMultiplyBigInt(curve: GostCurve, k: bigint): Affine | null {
  const c = ctxOf(curve);
  const table = baseTable(curve, c);
  const kk = mod(k - table.offset, curve.q);
  const width = table.rows * BASE_WIDTH;
  const bits = kk.toString(2).padStart(width, '0');
  let acc: Jacobian = INFINITY;
  for (let i = 0; i < table.rows; i += 1) {
    const digit = Number.parseInt(bits.slice(width - BASE_WIDTH * (i + 1), width - BASE_WIDTH * i), 2);
    acc = addAffine(c, acc, table.points[i * BASE_RADIX + digit] ?? { x: 0n, y: 0n });
  }
  return toAffine(c, acc);
}

/**
 * u·G + v·P for public u, v (signature verification, RFC 7091 §6.2 step 5); null if the sum is
 * the point at infinity. A key seen before runs two interleaved Lim–Lee combs (d − 1 doublings
 * in all); a new key runs v's width-5 NAF with G's comb slotted into the same doublings.
 */
export function doubleMultiplyPublicBigInt(curve: GostCurve, u: bigint, P: Affine, v: bigint): Affine | null {
  const c = ctxOf(curve);
  const gComb = gCombOf(curve, c);
  const d = c.combSpacing;
  const gCols = combColumns(mod(u, curve.q), d);
  let point = P;
  let scalar = v;
  if (scalar < 0n) {
    point = { x: P.x, y: mod(-P.y, c.p) };
    scalar = -scalar;
  }
  const qComb = scalar.toString(2).length <= COMB_TEETH * d ? keyComb(c, point) : null;
  if (qComb === null) return toAffine(c, doubleMultiplyWnaf(c, gCols, gComb, point, scalar), false);
  const qCols = combColumns(scalar, d);
  let acc: Jacobian = INFINITY;
  for (let j = d - 1; j >= 0; j -= 1) {
    acc = double(c, acc);
    const mg = gCols[j] ?? 0;
    if (mg !== 0) acc = addAffine(c, acc, gComb[mg] ?? INFINITY);
    const mq = qCols[j] ?? 0;
    if (mq !== 0) acc = addAffine(c, acc, qComb[mq] ?? INFINITY);
  }
  return toAffine(c, acc, false);
}

/** k·P for a public k ≥ 0 and point P; null for the point at infinity (used for q·P = O checks). */
export function multiplyPointBigInt(curve: GostCurve, P: Affine, k: bigint): Affine | null {
  const c = ctxOf(curve);
  if (k < 0n) return multiplyPointBigInt(curve, { x: P.x, y: mod(-P.y, c.p) }, -k);
  return toAffine(c, doubleMultiplyWnaf(c, null, [], P, k), false);
}
