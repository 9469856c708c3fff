/**
 * Scalar multiplication on the GOST R 34.10-2012 curves (RFC 7091 §6), in WebAssembly: the
 * field and point arithmetic of field-wasm.ts (Montgomery multiplication on 29-bit limbs,
 * Jacobian coordinates, dbl-2001-b when a = −3 else dbl-2007-bl, madd-2007-bl), with the points
 * and tables kept in the module's memory. ec-bigint.ts is the BigInt implementation it replaced;
 * it remains as the fallback for the rare inputs noted below.
 *
 * Curves with a twisted Edwards form (TC26 256-A and 512-C: x² + y² = 1 + d·x²·y², RFC 7836
 * §A.2, see edwardsForm) run signing and first-use verification on that form instead, in
 * extended coordinates (Hisil–Wong–Carter–Dawson 2008): these curves have a general a, so a
 * Jacobian doubling costs 2M + 8S and a mixed addition 7M + 4S with twice the field additions,
 * against 3M + 4S and 8M on the Edwards form, whose addition law is moreover complete (d is
 * not a square): no exceptional case in the ladder or in the signing table. Points cross the
 * birational maps without inversion on the way in (projective images) and with one on the way
 * out. Measured on the bench (tc26-256-A, shared machine): first-use verification ~1.6× the
 * Jacobian path's rate; signing a few per cent.
 *
 * k·G for a SECRET k (signing, key generation), baseMultiply: a fixed-base table of the 32 odd
 * multiples 1·B … 63·B of B = 64^i·G per 6-bit position i, k recoded into odd signed digits
 * (below), one mixed addition per position. What is and is not constant-time:
 * - in WebAssembly (field-wasm.ts baseMul and edBaseMul), the sequence of instructions and of
 *   memory addresses is the same for every k: each table row is scanned entirely and the entry
 *   selected with masks (no secret-indexed load), the digit's sign and the final sign are
 *   applied by a masked negation, field operations select their final subtraction with masks,
 *   and the additions have no exceptional-case branch (on the Edwards form they have none);
 * - the choice between k and q − k (k's parity) is a BigInt operation in JavaScript;
 * - the final inversion is Fermat's, in WebAssembly, a fixed sequence (field-wasm inv);
 * - the recoding of k into digits, and the conversion of the result to BigInt, run in
 *   JavaScript BigInt and typed-array code, whose timing depends on the values (V8 gives no
 *   constant-time big integers);
 * - one branch depends on the result: if the accumulator reached Z = 0 (Jacobian: an
 *   intermediate sum equal to ± the next addend modulo q, probability below 2^-240 for a
 *   uniform k, see baseMultiply; either form: k ≡ 0 (mod q)), the BigInt implementation
 *   recomputes the result.
 *
 * u·G + v·P for PUBLIC u, v (verification), doubleMultiplyPublic: two interleaved Lim–Lee combs
 * (d − 1 shared doublings, ≤ 2d mixed additions, d = ⌈bits(q)/8⌉) once Q's comb is cached (LRU
 * of KEY_CACHE_SIZE keys per curve, a table built the second time a key is seen), else v's
 * width-5 NAF with G's comb slotted into the same doublings (on the Edwards form where the
 * curve has one, for verifyDoubleMultiply). These paths branch on the public scalars and handle
 * every exceptional case of the addition (maddPub). A point Q of order 2, for which the NAF
 * window cannot be built, goes to the BigInt implementation; one without an Edwards image
 * (a point of small order where the maps are undefined) goes to the Jacobian path.
 *
 * ec-perf.test.ts and ec-wasm.test.ts check every path against a textbook affine implementation
 * and against ec-bigint.ts.
 */
import type { GostCurve } from './curves.ts';
import {
  COMB_TEETH,
  KEY_CACHE_SIZE,
  baseMultiplyBigInt,
  combColumns,
  doubleMultiplyPublicBigInt,
  mod,
  modInvPublic,
  multiplyPointBigInt,
  wnaf,
  type Affine,
} from './ec-bigint.ts';
import { SLOT, createFieldWasm, type FieldWasm } from './field-wasm.ts';

export { KEY_CACHE_SIZE, isOnCurve, mod, modInvPrime, modInvPublic, modPow, type Affine } from './ec-bigint.ts';

/**
 * Digit width of the signing table: odd signed digits in ±{1, 3, …, 63}, so a row holds the 32
 * odd multiples and k·G costs ⌈(bits(q) − 5)/6⌉ + 1 mixed additions (43 for a 256-bit q, 86
 * for a 512-bit one). Against the former unsigned 5-bit digits (51 additions, rows of 32 too)
 * this saves 8 of 51 additions for the price of a constant-time negation per row.
 */
const BASE_WIDTH = 6;
const BASE_ENTRIES = 1 << (BASE_WIDTH - 1);
const WNAF_WIDTH = 5;
/** Odd multiples P, 3P, …, 15P in a width-5 NAF window. */
const WINDOW = 1 << (WNAF_WIDTH - 2);
const COMB_SIZE = 1 << COMB_TEETH;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

interface BaseTable {
  rows: number;
  /** Address of rows × BASE_ENTRIES affine points; entry j of row i is (2j + 1)·64^i·G. */
  at: number;
  /** `rows` bytes for the digits of the scalar being multiplied. */
  digits: number;
}

interface KeyEntry {
  /** Address of the key's comb; undefined: seen once; null: no usable comb (small-order point). */
  table: number | null | undefined;
}

interface Ctx {
  curve: GostCurve;
  f: FieldWasm;
  F: number;
  combSpacing: number;
  base?: BaseTable;
  gComb?: number;
  /** LRU of public keys; a comb table is 255 affine points (18 KiB for 256-bit p, 36 KiB for 512). */
  keys: Map<string, KeyEntry>;
  /** Comb tables of evicted keys, for reuse. */
  freeTables: number[];
  /** Scratch: accumulator (3F), one affine point (2F), the NAF window (2·WINDOW affine points). */
  acc: number;
  pt: number;
  window: number;
  /** Scratch for table builds: COMB_SIZE Jacobian points and COMB_SIZE prefix products. */
  jac: number;
  prefix: number;
  /** Two i32 arrays of offsCap entries for ladder(): q additions at offs, g additions after. */
  offs: number;
  offsCap: number;
  /** The curve's twisted Edwards form, if it has one (built on first use); null: none. */
  ed?: EdCtx | null;
}

/**
 * A curve of the form x² + y² = 1 + d·x²·y² (twisted Edwards with e = 1) birationally
 * equivalent to the Weierstrass curve (RFC 7836 §A.2, RFC 7091 lineage): TC26 256-A and 512-C.
 * Its doubling costs 4M + 4S and its mixed addition 8M with few additions, against 2M + 8S and
 * 7M + 4S (and twice as many field additions) in Jacobian coordinates for a general a; and
 * with e a square and d not, the addition law is complete. Addresses hold Montgomery constants
 * and scratch; precomputed entries are (x, y, x + y, d·x·y), 4 field elements.
 */
interface EdCtx {
  /** s = (e − d)/4, t = (e + d)/6 and d, for the maps (RFC 7836 §A.2). */
  s: number;
  t: number;
  d: number;
  /** Accumulator (4F), the width-5 window of Q (2·WINDOW projective entries of 5F, see edPadd). */
  acc: number;
  window: number;
  /** COMB_SIZE extended points of scratch. */
  ext: number;
  /** G's comb as precomputed entries (entry m at gComb + m·4F), built on first use. */
  gComb?: number;
  /** The signing table (baseTable) as precomputed entries, same rows and order. */
  base?: number;
}

/**
 * d of the Edwards form of the curves that have one, by the RFC 7836 parameter set names
 * (Appendix A.2: id-tc26-gost-3410-2012-256-paramSetA and -512-paramSetC, e = 1). ctxOf checks
 * that they give back the curve's a and b before using them.
 */
const EDWARDS_D: ReadonlyMap<string, bigint> = new Map([
  ['tc26-256-A', 0x0605f6b7c183fa81578bc39cfad518132b9df62897009af7e522c32d6dc7bffbn],
  [
    'tc26-512-C',
    0x9e4f5d8c017d8d9f13a5cf3cdf5bfe4dab402d54198e31ebde28a0621050439ca6b39e0a515c06b304e2ce43e79e369e91a0cfc2bc2a22b4ca302dbb33ee7550n,
  ],
]);

const contexts = new WeakMap<GostCurve, Ctx>();

function ctxOf(curve: GostCurve): Ctx {
  const cached = contexts.get(curve);
  if (cached !== undefined) return cached;
  const f = createFieldWasm(curve.p, curve.a);
  const F = f.F;
  const jacCount = Math.max(COMB_SIZE, BASE_ENTRIES);
  const ctx: Ctx = {
    curve,
    f,
    F,
    combSpacing: Math.ceil(curve.q.toString(2).length / COMB_TEETH),
    keys: new Map(),
    freeTables: [],
    acc: f.alloc(3 * F),
    pt: f.alloc(2 * F),
    window: f.alloc(2 * WINDOW * 2 * F),
    jac: f.alloc(jacCount * 3 * F),
    prefix: f.alloc(jacCount * F),
    offs: 0,
    offsCap: 0,
  };
  contexts.set(curve, ctx);
  return ctx;
}

function setInfinity(c: Ctx, d: number): void {
  const { f, F } = c;
  f.copy(d, f.at(SLOT.one), F);
  f.copy(d + F, f.at(SLOT.one), F);
  f.copy(d + 2 * F, f.at(SLOT.zero), F);
}

/** Affine (at s, 2F bytes) to Jacobian at d. */
function affineToJacobian(c: Ctx, d: number, s: number): void {
  c.f.copy(d, s, 2 * c.F);
  c.f.copy(d + 2 * c.F, c.f.at(SLOT.one), c.F);
}

function writeAffine(c: Ctx, d: number, P: Affine): void {
  c.f.writeMont(d, P.x);
  c.f.writeMont(d + c.F, P.y);
}

/**
 * `count` Jacobian points at src to affine at dst with one inversion (Montgomery's trick);
 * false if any is the point at infinity. For public points (table builds): it branches.
 */
function batchToAffine(c: Ctx, src: number, count: number, dst: number): boolean {
  const { f, F } = c;
  const zi2 = f.at(SLOT.io + 2);
  return batchInvertZ(c, src, 3, count, (i, P, zi) => {
    f.sqr(zi2, zi);
    f.mul(dst + i * 2 * F, P, zi2);
    f.mul(zi2, zi2, zi);
    f.mul(dst + i * 2 * F + F, P + F, zi2);
  });
}

/**
 * Montgomery's trick over `count` points at src (`coordinates` field elements each, Z third):
 * one inversion, then `each(i, P, 1/Z)` from the last point to the first. False (and no call) if
 * a Z is 0. Uses SLOT.io and SLOT.io + 1 and the prefix scratch; `each` may use the slots above.
 */
function batchInvertZ(c: Ctx, src: number, coordinates: number, count: number, each: (i: number, P: number, zi: number) => void): boolean {
  const { f, F } = c;
  const acc = f.at(SLOT.io);
  const zi = f.at(SLOT.io + 1);
  f.copy(acc, f.at(SLOT.one), F);
  for (let i = 0; i < count; i += 1) {
    const z = src + i * coordinates * F + 2 * F;
    if (f.isZero(z)) return false;
    f.copy(c.prefix + i * F, acc, F);
    f.mul(acc, acc, z);
  }
  f.invFermat(acc, acc);
  for (let i = count - 1; i >= 0; i -= 1) {
    const P = src + i * coordinates * F;
    f.mul(zi, acc, c.prefix + i * F);
    f.mul(acc, acc, P + 2 * F);
    each(i, P, zi);
  }
  return true;
}

/** The Jacobian point at s as affine BigInts, null for ∞ (branches on Z: for public points). */
function toAffinePublic(c: Ctx, s: number): Affine | null {
  const { f, F } = c;
  if (f.isZero(s + 2 * F)) return null;
  const zi = f.at(SLOT.io + 1);
  const zi2 = f.at(SLOT.io + 2);
  const t = f.at(SLOT.io + 3);
  f.invFermat(zi, s + 2 * F);
  f.sqr(zi2, zi);
  f.mul(t, s, zi2);
  const x = f.readMont(t);
  f.mul(zi2, zi2, zi);
  f.mul(t, s + F, zi2);
  return { x, y: f.readMont(t) };
}

/** Row i holds the odd multiples (2j + 1)·64^i·G, j = 0..31: built once per curve, public data. */
function baseTable(c: Ctx): BaseTable {
  if (c.base !== undefined) return c.base;
  const { f, F, curve } = c;
  const rows = Math.ceil((curve.q.toString(2).length - (BASE_WIDTH - 1)) / BASE_WIDTH) + 1;
  const at = f.alloc(rows * BASE_ENTRIES * 2 * F);
  const rowBase = f.at(SLOT.io + 4); // affine 64^i·G (two elements)
  const twice = f.at(SLOT.io + 6); // affine 2·64^i·G (two elements)
  const fail = (): never => {
    throw new Error(`curve ${curve.name}: a table entry is infinity (G does not have order q)`);
  };
  writeAffine(c, rowBase, { x: curve.gx, y: curve.gy });
  for (let i = 0; i < rows; i += 1) {
    affineToJacobian(c, c.acc, rowBase);
    f.dbl(c.acc, c.acc);
    if (!batchToAffine(c, c.acc, 1, twice)) fail();
    affineToJacobian(c, c.jac, rowBase);
    for (let j = 1; j < BASE_ENTRIES; j += 1) f.maddPub(c.jac + j * 3 * F, c.jac + (j - 1) * 3 * F, twice);
    // The next row's base 64·B = 63·B (still Jacobian) + B.
    f.maddPub(c.acc, c.jac + (BASE_ENTRIES - 1) * 3 * F, rowBase);
    const row = at + i * BASE_ENTRIES * 2 * F;
    if (!batchToAffine(c, c.jac, BASE_ENTRIES, row)) fail();
    if (!batchToAffine(c, c.acc, 1, rowBase)) fail();
  }
  c.base = { rows, at, digits: f.alloc(rows) };
  return c.base;
}

/**
 * Lim–Lee comb of the affine point at src (Lim and Lee, CRYPTO '94) into dst: entry m
 * (1 ≤ m < 256) is Σ over the set bits t of m of 2^(t·d)·B. False if an entry is infinity
 * (B of small order); the caller then uses the NAF path.
 */
function buildComb(c: Ctx, src: number, dst: number): boolean {
  const { f, F } = c;
  const d = c.combSpacing;
  // bases[t] = 2^(t·d)·B, Jacobian, in jac slots 1, 2, 4, …, 128 (their own entries), then affine.
  const slot = (m: number): number => c.jac + m * 3 * F;
  affineToJacobian(c, slot(1), src);
  for (let t = 1; t < COMB_TEETH; t += 1) {
    const s = slot(1 << t);
    f.copy(s, slot(1 << (t - 1)), 3 * F);
    for (let i = 0; i < d; i += 1) f.dbl(s, s);
  }
  // The bases as affine points, in the prefix area (8 × 2F ≤ 256 × F).
  const bases = c.prefix + COMB_SIZE * F - COMB_TEETH * 2 * F;
  // One batch inversion for the 8 bases: gathered (Jacobian) in the window scratch first.
  for (let t = 0; t < COMB_TEETH; t += 1) f.copy(c.window + t * 3 * F, slot(1 << t), 3 * F);
  if (!batchToAffine(c, c.window, COMB_TEETH, bases)) return false;
  for (let m = 2; m < COMB_SIZE; m += 1) {
    const t = 31 - Math.clz32(m);
    if (m === 1 << t) continue;
    f.maddPub(slot(m), slot(m - (1 << t)), bases + t * 2 * F);
  }
  return batchToAffine(c, slot(1), COMB_SIZE - 1, dst + 2 * F);
}

function gCombOf(c: Ctx): number {
  if (c.gComb !== undefined) return c.gComb;
  const table = c.f.alloc(COMB_SIZE * 2 * c.F);
  writeAffine(c, c.pt, { x: c.curve.gx, y: c.curve.gy });
  if (!buildComb(c, c.pt, table)) throw new Error(`curve ${c.curve.name}: G does not have order q`);
  c.gComb = table;
  return table;
}

/** The cached comb of public key P (built the second time P is seen); null: use the NAF path. */
function keyComb(c: Ctx, P: Affine): number | null {
  const id = `${P.x.toString(16)}:${P.y.toString(16)}`;
  const entry = c.keys.get(id);
  if (entry === undefined) {
    c.keys.set(id, { table: undefined });
    if (c.keys.size > KEY_CACHE_SIZE) {
      const oldest = c.keys.entries().next();
      if (oldest.done !== true) {
        c.keys.delete(oldest.value[0]);
        const t = oldest.value[1].table;
        if (typeof t === 'number') c.freeTables.push(t);
      }
    }
    return null;
  }
  // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
  c.keys.delete(id);
  c.keys.set(id, entry);
  if (entry.table === undefined) {
    const table = c.freeTables.pop() ?? c.f.alloc(COMB_SIZE * 2 * c.F);
    writeAffine(c, c.pt, P);
    if (buildComb(c, c.pt, table)) entry.table = table;
    else {
      entry.table = null;
      c.freeTables.push(table);
    }
  }
  return entry.table;
}

/** Zeroed ladder() offset arrays of `length` entries: [q additions, g additions]. */
function ladderOffsets(c: Ctx, length: number): [Int32Array, Int32Array] {
  if (length > c.offsCap) {
    c.offsCap = Math.max(length, 2 * c.offsCap, 64);
    c.offs = c.f.alloc(2 * 4 * c.offsCap);
  }
  const q = c.f.i32(c.offs, length);
  const g = c.f.i32(c.offs + 4 * c.offsCap, length);
  q.fill(0);
  g.fill(0);
  return [q, g];
}

/**
 * The NAF window of P: odd multiples P, 3P, …, 15P (entries 0..7) and their negatives (8..15),
 * affine, at c.window. False if some multiple is infinity (P of order 2).
 */
function buildWindow(c: Ctx, P: Affine): boolean {
  const { f, F } = c;
  // 2P, 3P = 2P + P, 4P = 3P + P, …: 13 mixed additions, cheaper than making 2P affine (one
  // more inversion) to step by 2P.
  writeAffine(c, c.window, P);
  affineToJacobian(c, c.jac, c.window);
  f.dbl(c.acc, c.jac);
  for (let i = 1; i < WINDOW; i += 1) {
    const odd = c.jac + i * 3 * F;
    f.maddPub(odd, c.acc, c.window);
    if (i < WINDOW - 1) f.maddPub(c.acc, odd, c.window);
  }
  if (!batchToAffine(c, c.jac, WINDOW, c.window)) return false;
  for (let i = 0; i < WINDOW; i += 1) {
    const s = c.window + i * 2 * F;
    const d = c.window + (WINDOW + i) * 2 * F;
    f.copy(d, s, F);
    f.sub(d + F, f.at(SLOT.zero), s + F);
  }
  return true;
}

/** c.acc = u·G + v·P (gCols: u's comb columns, or null for v·P alone) over v's width-5 NAF; false: use BigInt. */
function doubleMultiplyNaf(c: Ctx, gCols: Uint8Array | null, P: Affine, v: bigint): boolean {
  const { f, F } = c;
  // G's comb first: building it uses the window scratch.
  const gComb = gCols === null ? 0 : gCombOf(c);
  if (!buildWindow(c, P)) return false;
  const naf = wnaf(v, WNAF_WIDTH);
  let top = naf.length - 1;
  while (top >= 0 && naf[top] === 0) top -= 1;
  const d = gCols === null ? 0 : gCols.length;
  const length = Math.max(top, d - 1) + 1;
  const [qOffs, gOffs] = ladderOffsets(c, length);
  for (let i = 0; i < length; i += 1) {
    const digit = naf[i] ?? 0;
    if (digit > 0) qOffs[i] = c.window + ((digit - 1) >> 1) * 2 * F;
    else if (digit < 0) qOffs[i] = c.window + (WINDOW + ((-digit - 1) >> 1)) * 2 * F;
    const m = gCols?.[i] ?? 0;
    if (m !== 0) gOffs[i] = gComb + m * 2 * F;
  }
  setInfinity(c, c.acc);
  f.ladder(c.acc, c.offs, c.offs + 4 * c.offsCap, length);
  return true;
}

/**
 * k·G for a secret k in [1, q−1] (signing, RFC 7091 §6.1 step 4; key generation). With
 * k' = k if k is odd, else q − k (odd, and k'·G = −k·G), k' = Σ d_i·64^i with every digit odd
 * in [−63, 63] (d_i = 2·b_i + 1 − 64 for the 6-bit chunk b_i of k' at bit 6i + 1, the last digit
 * 2·b + 1: the "all digits odd" regular recoding). Every row costs one full constant-time scan,
 * one constant-time negation and one mixed addition; −k·G is turned back into k·G by a
 * constant-time negation of y.
 *
 * Why no addition is exceptional: the partial sum S_i = Σ_{l<i} d_l·64^i is odd (so never
 * 0 = ∞) and |S_i| ≤ 64^i − 1 < |d_i|·64^i, so S_i ≠ ± the addend as integers; they can only
 * coincide modulo q when |S_i ∓ d_i·64^i| ≥ q, i.e. in the last row, for one value of S_i in
 * about 2^250 per top digit: probability below 2^-240 for a uniform k, and then the result
 * has Z = 0 and is recomputed in BigInt. See the module comment for what is constant-time.
 */
export function baseMultiply(curve: GostCurve, k: bigint): Affine | null {
  return baseMultiplyWith(curve, k, true);
}

/**
 * x of k·G for a secret k in [1, q−1] (signing: r = x mod q, RFC 7091 §6.1 step 5), as
 * baseMultiply with the same constant-time properties, without computing y; null for k ≡ 0.
 */
export function baseMultiplyX(curve: GostCurve, k: bigint): bigint | null {
  return baseMultiplyWith(curve, k, false)?.x ?? null;
}

function baseMultiplyWith(curve: GostCurve, k: bigint, wantY: boolean): Affine | null {
  const c = ctxOf(curve);
  const { f, F } = c;
  const table = baseTable(c);
  // Tables first: building them may grow the memory, which detaches earlier views.
  const ed = edOf(c);
  const edTable = ed === null ? 0 : edBaseTableOf(c, ed);
  const kr = mod(k, curve.q);
  const negate = (kr & 1n) === 0n ? 1 : 0;
  const kOdd = negate === 1 ? curve.q - kr : kr;
  const width = table.rows * BASE_WIDTH + 1;
  if (kOdd >> BigInt(width - 1) !== 0n) throw new Error('baseMultiply: scalar wider than the table');
  // k' as 32-bit words through 64-bit BigInt limbs (typed arrays in the platform's order; the
  // word pairs are swapped on a big-endian one), cleared after use.
  const words64 = new BigUint64Array(Math.ceil((width + 31) / 64));
  let rest = kOdd;
  for (let i = 0; i < words64.length; i += 1) {
    words64[i] = BigInt.asUintN(64, rest);
    rest >>= 64n;
  }
  const words = new Uint32Array(words64.buffer);
  if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i += 2) words.set([words[i + 1] ?? 0, words[i] ?? 0], i);
  const digits = f.bytes(table.digits, table.rows);
  // chunk(i): the 6 bits of k' at 6i + 1 .. 6i + 6.
  for (let i = 0; i < table.rows; i += 1) {
    const pos = BASE_WIDTH * i + 1;
    const w = pos >>> 5;
    const sh = pos & 31;
    let b = (words[w] ?? 0) >>> sh;
    if (sh > 32 - BASE_WIDTH) b |= (words[w + 1] ?? 0) << (32 - sh);
    b &= (1 << BASE_WIDTH) - 1;
    // Digit 2b + 1 − 64 (2b + 1 for the last row): index (|d| − 1)/2 in bits 0–6, sign in bit 7.
    const last = i === table.rows - 1 ? 1 : 0;
    const negative = (1 - last) & ((b >> 5) ^ 1);
    const index = last === 1 ? b : (b & 31) ^ (negative * 31);
    digits[i] = index | (negative << 7);
  }
  words.fill(0);
  if (ed !== null) {
    // Edwards form: complete additions (8M against 7M + 4S), then one inversion for both
    // coordinates. The sign flip of −k·G is on x (and T, unused after the last addition).
    const acc = ed.acc;
    f.edBaseMul(acc, edTable, table.rows, BASE_ENTRIES, table.digits, ed.ext);
    digits.fill(0);
    f.cneg(acc, negate);
    return edToWeierstrass(c, ed, acc, wantY) ?? baseMultiplyBigInt(curve, k);
  }
  const acc = c.acc;
  f.baseMul(acc, table.at, table.rows, BASE_ENTRIES, table.digits, c.pt);
  f.cneg(acc + F, negate);
  digits.fill(0);
  if (f.isZero(acc + 2 * F)) return baseMultiplyBigInt(curve, k);
  const zi = f.at(SLOT.io + 1);
  const zi2 = f.at(SLOT.io + 2);
  const t = f.at(SLOT.io + 3);
  f.invFermat(zi, acc + 2 * F);
  f.sqr(zi2, zi);
  f.mul(t, acc, zi2);
  const x = f.readMont(t);
  if (!wantY) return { x, y: 0n };
  f.mul(zi2, zi2, zi);
  f.mul(t, acc + F, zi2);
  return { x, y: f.readMont(t) };
}

/**
 * The twisted Edwards form x² + y² = 1 + d·x²·y² of the curve (e = 1), with s = (e − d)/4 and
 * t = (e + d)/6 of the maps (RFC 7836 §A.2), or null if the curve has none here: only those of
 * EDWARDS_D, and only if they give back the curve's a = s² − 3t² and b = 2t³ − t·s².
 */
export function edwardsForm(curve: GostCurve): { d: bigint; s: bigint; t: bigint } | null {
  const d = EDWARDS_D.get(curve.name);
  if (d === undefined) return null;
  const p = curve.p;
  const m = (x: bigint): bigint => mod(x, p);
  const s = m((1n - d) * modInvPublic(4n, p));
  const t = m((1n + d) * modInvPublic(6n, p));
  if (m(s * s - 3n * t * t) !== m(curve.a) || m(2n * t * t * t - t * s * s) !== m(curve.b)) return null;
  return { d, s, t };
}

/** The curve's Edwards context, or null if it has none. */
function edOf(c: Ctx): EdCtx | null {
  if (c.ed !== undefined) return c.ed;
  c.ed = null;
  const { f, F } = c;
  const form = edwardsForm(c.curve);
  if (form === null) return null;
  const ed: EdCtx = { s: f.alloc(F), t: f.alloc(F), d: f.alloc(F), acc: f.alloc(4 * F), window: f.alloc(2 * WINDOW * 5 * F), ext: f.alloc(COMB_SIZE * 4 * F) };
  f.writeMont(ed.s, form.s);
  f.writeMont(ed.t, form.t);
  f.writeMont(ed.d, form.d);
  c.ed = ed;
  return ed;
}

/**
 * The Weierstrass affine point at src as an extended Edwards point at dst, without inversion:
 * with w = x − t, u = w/y and v = (w − s)/(w + s) (RFC 7836 §A.2), so
 * (X : Y : Z : T) = (w(w + s) : (w − s)·y : y(w + s) : w(w − s)). Z = 0 for the exceptional
 * points (y = 0 or w = −s: points of small order), which the callers reject.
 */
function weierstrassToEd(c: Ctx, ed: EdCtx, dst: number, src: number): void {
  const { f, F } = c;
  const w = f.at(SLOT.io + 8);
  const wp = f.at(SLOT.io + 9);
  const wm = f.at(SLOT.io + 10);
  f.sub(w, src, ed.t);
  f.add(wp, w, ed.s);
  f.sub(wm, w, ed.s);
  f.mul(dst, w, wp);
  f.mul(dst + F, wm, src + F);
  f.mul(dst + 2 * F, src + F, wp);
  f.mul(dst + 3 * F, w, wm);
}

/** `count` extended points at src to precomputed entries at dst (one inversion); false if a Z is 0. */
function edBatchToEntries(c: Ctx, ed: EdCtx, src: number, count: number, dst: number): boolean {
  const { f, F } = c;
  return batchInvertZ(c, src, 4, count, (i, P, zi) => {
    const E = dst + i * 4 * F;
    f.mul(E, P, zi);
    f.mul(E + F, P + F, zi);
    f.add(E + 2 * F, E, E + F);
    f.mul(E + 3 * F, E, E + F);
    f.mul(E + 3 * F, E + 3 * F, ed.d);
  });
}

function edGCombOf(c: Ctx, ed: EdCtx): number {
  if (ed.gComb !== undefined) return ed.gComb;
  const { f, F } = c;
  const wComb = gCombOf(c);
  for (let m = 1; m < COMB_SIZE; m += 1) weierstrassToEd(c, ed, ed.ext + m * 4 * F, wComb + m * 2 * F);
  const table = f.alloc(COMB_SIZE * 4 * F);
  if (!edBatchToEntries(c, ed, ed.ext + 4 * F, COMB_SIZE - 1, table + 4 * F)) throw new Error(`curve ${c.curve.name}: a comb entry of G has no Edwards image`);
  ed.gComb = table;
  return table;
}

/** The fixed-base signing table of baseTable, mapped to Edwards entries row by row (public data). */
function edBaseTableOf(c: Ctx, ed: EdCtx): number {
  if (ed.base !== undefined) return ed.base;
  const { f, F } = c;
  const table = baseTable(c);
  const at = f.alloc(table.rows * BASE_ENTRIES * 4 * F);
  for (let i = 0; i < table.rows; i += 1) {
    for (let j = 0; j < BASE_ENTRIES; j += 1) weierstrassToEd(c, ed, ed.ext + j * 4 * F, table.at + (i * BASE_ENTRIES + j) * 2 * F);
    if (!edBatchToEntries(c, ed, ed.ext, BASE_ENTRIES, at + i * BASE_ENTRIES * 4 * F)) throw new Error(`curve ${c.curve.name}: a signing table entry has no Edwards image`);
  }
  ed.base = at;
  return at;
}

/**
 * ed.acc = u·G + v·P (Edwards, extended) over v's width-5 NAF with G's comb in the same
 * doublings: the first-use path of verification on curves with an Edwards form. False if P
 * has no Edwards image (a point of small order): the caller takes the Weierstrass path.
 */
function doubleMultiplyNafEd(c: Ctx, ed: EdCtx, gCols: Uint8Array, P: Affine, v: bigint): boolean {
  const { f, F } = c;
  const gComb = edGCombOf(c, ed);
  writeAffine(c, c.pt, P);
  const ext = ed.ext;
  weierstrassToEd(c, ed, ext, c.pt);
  if (f.isZero(ext + 2 * F)) return false;
  // 2P at the top of the scratch, then P, 3P, …, 15P by complete additions of 2P.
  const twice = ext + (COMB_SIZE - 1) * 4 * F;
  f.edDbl(twice, ext);
  for (let i = 1; i < WINDOW; i += 1) f.edAdd(ext + i * 4 * F, ext + (i - 1) * 4 * F, twice, ed.d);
  // Projective entries (X, Y, X + Y, d·T, Z) and their negatives (−X, Y, Y − X, −d·T, Z): no
  // inversion (measured: one Fermat inversion and the affine entries cost more than the one
  // extra multiplication per addition of Q in the ladder).
  const zero = f.at(SLOT.zero);
  for (let i = 0; i < WINDOW; i += 1) {
    const s = ext + i * 4 * F;
    const e = ed.window + i * 5 * F;
    const n = ed.window + (WINDOW + i) * 5 * F;
    f.copy(e, s, 2 * F);
    f.add(e + 2 * F, s, s + F);
    f.mul(e + 3 * F, s + 3 * F, ed.d);
    f.copy(e + 4 * F, s + 2 * F, F);
    f.sub(n, zero, s);
    f.copy(n + F, s + F, F);
    f.sub(n + 2 * F, s + F, s);
    f.sub(n + 3 * F, zero, e + 3 * F);
    f.copy(n + 4 * F, s + 2 * F, F);
  }
  const naf = wnaf(v, WNAF_WIDTH);
  let top = naf.length - 1;
  while (top >= 0 && naf[top] === 0) top -= 1;
  const length = Math.max(top, gCols.length - 1) + 1;
  const [qOffs, gOffs] = ladderOffsets(c, length);
  for (let i = 0; i < length; i += 1) {
    const digit = naf[i] ?? 0;
    if (digit > 0) qOffs[i] = ed.window + ((digit - 1) >> 1) * 5 * F;
    else if (digit < 0) qOffs[i] = ed.window + (WINDOW + ((-digit - 1) >> 1)) * 5 * F;
    const m = gCols[i] ?? 0;
    if (m !== 0) gOffs[i] = gComb + m * 4 * F;
  }
  // The neutral element (0 : 1 : 1 : 0).
  const acc = ed.acc;
  f.copy(acc, zero, F);
  f.copy(acc + F, f.at(SLOT.one), F);
  f.copy(acc + 2 * F, f.at(SLOT.one), F);
  f.copy(acc + 3 * F, zero, F);
  f.edLadder(acc, c.offs, c.offs + 4 * c.offsCap, length);
  return true;
}

/**
 * The extended Edwards point at src as a Weierstrass affine point (RFC 7836 §A.2):
 * x = s(Z + Y)/(Z − Y) + t, y = s(Z + Y)·Z/((Z − Y)·X), with one constant-time (Fermat)
 * inversion of (Z − Y)·X. Null where the map is undefined: X = 0 or Z = Y, i.e. the neutral
 * element or the point (0, −1) of order 2, which k·G for k ≢ 0 (mod q) never is. With wantY
 * false, y is left 0 (signing reads only x).
 */
function edToWeierstrass(c: Ctx, ed: EdCtx, src: number, wantY = true): Affine | null {
  const { f, F } = c;
  const den = f.at(SLOT.io + 8);
  const num = f.at(SLOT.io + 9);
  const inv = f.at(SLOT.io + 10);
  const t = f.at(SLOT.io + 11);
  f.sub(den, src + 2 * F, src + F);
  f.mul(inv, den, src);
  if (f.isZero(inv)) return null;
  f.invFermat(inv, inv);
  f.add(num, src + 2 * F, src + F);
  f.mul(num, num, ed.s);
  let y = 0n;
  if (wantY) {
    f.mul(t, num, src + 2 * F);
    f.mul(t, t, inv);
    y = f.readMont(t);
  }
  f.mul(t, num, src);
  f.mul(t, t, inv);
  f.add(t, t, ed.t);
  return { x: f.readMont(t), y };
}

/** Whether some x ≡ r (mod q) below p has x·D = N (elements at D and N; r in [0, q)). */
function xMatches(c: Ctx, N: number, D: number, r: bigint): boolean {
  const { f, F, curve } = c;
  const t = f.at(SLOT.io + 2);
  const X = f.bytes(N, F);
  for (let x = r; x < curve.p; x += curve.q) {
    f.writeMont(t, x);
    f.mul(t, t, D);
    const T = f.bytes(t, F);
    let diff = 0;
    for (let i = 0; i < F; i += 1) diff |= (T[i] ?? 0) ^ (X[i] ?? 0);
    if (diff === 0) return true;
  }
  return false;
}

interface Prepared {
  gCols: Uint8Array;
  point: Affine;
  scalar: bigint;
  /** The key's comb, or null: first use (or no comb possible). */
  qComb: number | null;
}

function prepare(c: Ctx, u: bigint, P: Affine, v: bigint): Prepared {
  const { curve } = c;
  const d = c.combSpacing;
  const gCols = combColumns(mod(u, curve.q), d);
  let point = P;
  let scalar = v;
  if (scalar < 0n) {
    point = { x: P.x, y: mod(-P.y, curve.p) };
    scalar = -scalar;
  }
  const qComb = scalar.toString(2).length <= COMB_TEETH * d ? keyComb(c, point) : null;
  return { gCols, point, scalar, qComb };
}

/** c.acc = u·G + v·P for public u, v (Jacobian); false if the BigInt implementation must run. */
function doubleMultiplyToAcc(c: Ctx, u: bigint, P: Affine, v: bigint): boolean {
  return accFromPrepared(c, prepare(c, u, P, v));
}

function accFromPrepared(c: Ctx, prep: Prepared): boolean {
  const { f, F } = c;
  const { gCols, point, scalar, qComb } = prep;
  const gComb = gCombOf(c);
  const d = c.combSpacing;
  if (qComb === null) return doubleMultiplyNaf(c, gCols, point, scalar);
  const qCols = combColumns(scalar, d);
  const [qOffs, gOffs] = ladderOffsets(c, d);
  for (let j = 0; j < d; j += 1) {
    const mq = qCols[j] ?? 0;
    if (mq !== 0) qOffs[j] = qComb + mq * 2 * F;
    const mg = gCols[j] ?? 0;
    if (mg !== 0) gOffs[j] = gComb + mg * 2 * F;
  }
  setInfinity(c, c.acc);
  f.ladder(c.acc, c.offs, c.offs + 4 * c.offsCap, d);
  return true;
}

/**
 * u·G + v·P for public u, v (signature verification, RFC 7091 §6.2 step 5); null if the sum is
 * the point at infinity. A key seen before runs two interleaved Lim–Lee combs (d − 1 doublings
 * in all); a new key runs v's width-5 NAF with G's comb slotted into the same doublings.
 */
export function doubleMultiplyPublic(curve: GostCurve, u: bigint, P: Affine, v: bigint): Affine | null {
  const c = ctxOf(curve);
  if (!doubleMultiplyToAcc(c, u, P, v)) return doubleMultiplyPublicBigInt(curve, u, P, v);
  return toAffinePublic(c, c.acc);
}

/**
 * Whether C = u·G + v·P is not the point at infinity and x_C ≡ r (mod q): RFC 7091 §6.2
 * steps 5–6, the same computation as doubleMultiplyPublic without the final inversion. With
 * C = (X : Y : Z) Jacobian, x_C = X/Z² is one of r, r + q, r + 2q, … below p, so the test is
 * X = x·Z² for each such x: a few multiplications instead of an inversion (measured on
 * Node 20: 10 µs for TC26 256-A's p, 54 µs for TC26 512-A's).
 */
export function verifyDoubleMultiply(curve: GostCurve, u: bigint, P: Affine, v: bigint, r: bigint): boolean {
  const c = ctxOf(curve);
  if (r < 0n || r >= curve.q) return false;
  const prep = prepare(c, u, P, v);
  const { f, F } = c;
  const ed = prep.qComb === null ? edOf(c) : null;
  if (ed !== null && doubleMultiplyNafEd(c, ed, prep.gCols, prep.point, prep.scalar)) {
    // x_C = (s(Z + Y) + t(Z − Y)) / (Z − Y) (RFC 7836 §A.2, v = Y/Z); Z = Y is the neutral element.
    const { acc } = ed;
    const den = f.at(SLOT.io + 11);
    const num = f.at(SLOT.io + 12);
    const tmp = f.at(SLOT.io + 13);
    f.sub(den, acc + 2 * F, acc + F);
    if (f.isZero(den)) return false;
    f.add(num, acc + 2 * F, acc + F);
    f.mul(num, num, ed.s);
    f.mul(tmp, den, ed.t);
    f.add(num, num, tmp);
    return xMatches(c, num, den, r);
  }
  if (!accFromPrepared(c, prep)) {
    const C = doubleMultiplyPublicBigInt(curve, u, P, v);
    return C !== null && C.x % curve.q === r;
  }
  const Z = c.acc + 2 * F;
  if (f.isZero(Z)) return false;
  const zz = f.at(SLOT.io + 1);
  f.sqr(zz, Z);
  return xMatches(c, c.acc, zz, r);
}

/** k·P for a public k ≥ 0 and point P; null for the point at infinity (used for q·P = O checks). */
export function multiplyPoint(curve: GostCurve, P: Affine, k: bigint): Affine | null {
  const c = ctxOf(curve);
  if (k < 0n) return multiplyPoint(curve, { x: P.x, y: mod(-P.y, curve.p) }, -k);
  if (k === 0n) return null;
  if (!doubleMultiplyNaf(c, null, P, k)) return multiplyPointBigInt(curve, P, k);
  return toAffinePublic(c, c.acc);
}

/**
 * a^(−1) mod m for public a and m (extended Euclid, 0 when gcd(a, m) ≠ 1), by Lehmer's method
 * (Knuth, TAOCP vol. 2, §4.5.2, Algorithm L): the quotients are found on the leading 46 bits
 * held in doubles (every intermediate below 2^48, so exact), and the big numbers and the
 * cofactor are updated once per run of quotients: about 40 bits of progress per pair of BigInt
 * linear combinations instead of one BigInt division per quotient. Variable-time.
 */
export function invModLehmer(a: bigint, m: bigint): bigint {
  // Plain temporaries rather than destructuring swaps: the unoptimised tiers of V8 allocate an
  // array per destructuring, which made the first few hundred calls several times slower.
  let u = m;
  let v = mod(a, m);
  // Invariant: u ≡ su·a and v ≡ sv·a (mod m).
  let su = 0n;
  let sv = 1n;
  while (v !== 0n) {
    const h = Math.max(0, Math.floor(Math.log2(Number(u))) + 1 - 46);
    const hb = BigInt(h);
    let x = Number(u >> hb);
    let y = Number(v >> hb);
    let A = 1;
    let B = 0;
    let C = 0;
    let D = 1;
    let tmp = 0;
    if (h === 0) {
      // u, v fit: plain Euclid in doubles to the end.
      while (y !== 0) {
        const q = Math.floor(x / y);
        tmp = x - q * y;
        x = y;
        y = tmp;
        tmp = A - q * C;
        A = C;
        C = tmp;
        tmp = B - q * D;
        B = D;
        D = tmp;
      }
      su = BigInt(A) * su + BigInt(B) * sv;
      u = BigInt(x);
      break;
    }
    for (;;) {
      if (y + C === 0 || y + D === 0) break;
      const q = Math.floor((x + A) / (y + C));
      if (q !== Math.floor((x + B) / (y + D))) break;
      tmp = A - q * C;
      A = C;
      C = tmp;
      tmp = B - q * D;
      B = D;
      D = tmp;
      tmp = x - q * y;
      x = y;
      y = tmp;
    }
    if (B === 0) {
      const q = u / v;
      const r = u - q * v;
      u = v;
      v = r;
      const t = su - q * sv;
      su = sv;
      sv = t;
    } else {
      const bA = BigInt(A);
      const bB = BigInt(B);
      const bC = BigInt(C);
      const bD = BigInt(D);
      const nu = bA * u + bB * v;
      v = bC * u + bD * v;
      u = nu;
      const nsu = bA * su + bB * sv;
      sv = bC * su + bD * sv;
      su = nsu;
    }
  }
  return u === 1n ? mod(su, m) : 0n;
}

/**
 * a^(−1) mod q (q the curve's subgroup order, prime), 0 for a ≡ 0: verification's
 * v = e^(−1) (RFC 7091 §6.2 step 4), a public value, by invModLehmer. Measured on Node 20
 * (TC26 256-A's q, warm, shared machine at load ~2): 28 µs by Fermat in a WebAssembly module
 * generated for q (the former method), ~47 µs by BigInt extended Euclid, ~13–15 µs by Lehmer.
 * The result is checked (one multiplication) and recomputed by plain extended Euclid if it is
 * wrong, which it never was in the tests.
 */
export function invertModQ(curve: GostCurve, a: bigint): bigint {
  const inverse = invModLehmer(a, curve.q);
  if (mod(inverse * a, curve.q) === 1n) return inverse;
  return mod(a, curve.q) === 0n ? 0n : modInvPublic(a, curve.q);
}
