/**
 * GF(p) and Jacobian-point arithmetic for one GOST R 34.10-2012 prime, as a WebAssembly module
 * generated for that prime (p's limbs are immediates in the code), fully unrolled.
 *
 * Representation. A field element is n limbs of 29 bits (n = ⌈bits(p)/29⌉: 9 for 256-bit
 * primes, 18 for 512-bit ones), each stored as a little-endian u32, always fully reduced to
 * [0, p). For p = 2^b − c with a small c (TC26 256-A and CryptoPro-A: c = 617; TC26 512-A and
 * 512-C: c = 569) elements are plain residues and a product is reduced by folding (2^b ≡ c);
 * for the other primes they are in Montgomery form x·R mod p, R = 2^(29n). A Jacobian point
 * (X, Y, Z) is three consecutive elements, an affine point (x, y) two; Z = 0 is the point at
 * infinity. Points and tables live in the module's linear memory and the functions take
 * addresses, so nothing is converted between JavaScript and WebAssembly per field operation.
 *
 * Why 29-bit limbs and not 32: with 32-bit limbs every product a_i·b_j can reach 2^64 − 2^33,
 * so each one must be split and its carry propagated at once (a serial add/shift chain through
 * the whole multiplication). With 29-bit limbs a product is below 2^58, and a full column of
 * the product plus the Montgomery reduction (at most 2n = 36 products, plus the carry in) stays
 * below 2^64: one i64 accumulator, an independent multiply-add per product and one carry step
 * per column — for Montgomery, Koç–Acar–Kaliski's FIPS method (finely integrated product
 * scanning, IEEE Micro 1996). The cost is one extra limb (9 instead of 8). Measured on Node 20
 * (one call from JavaScript, best of 25): TC26 256-A multiplication 55 ns, squaring 44 ns;
 * TC26 512-A 162 ns and 113 ns; the BigInt code it replaces spent about 120 ns per 256-bit multiplication and 350–500 ns
 * per reduction.
 *
 * Constant time. mul, sqr, add, sub, cneg, inv (invFermat), dbl, maddCt, select and baseMul,
 * and on the twisted Edwards form (curves that have one, see ec.ts) edDbl, edDblP, edMadd,
 * edMaddP, edPadd, edPaddP, edAdd, edSelect and edBaseMul, execute the same instructions and
 * touch the same addresses whatever the values are (for a given table size): final
 * subtractions and negations are selected with masks, select reads every table entry, and the
 * Edwards additions are complete. maddPub, ladder, edLadder, isZero and the JavaScript helpers
 * branch on their data and are for public values.
 */
import { I32, I64, V128, assembleModule, instantiate, op, type ValType, type WasmFunctionDef } from './wasm-assembler.ts';

const W = 29;
const MASK = (1 << W) - 1;
const MASK_BIG = BigInt(MASK);

/** Function indices inside the module (op.call). */
const FN = { mul: 0, sqr: 1, add: 2, sub: 3, isZero: 4, dbl: 5, maddCt: 6, maddPub: 7, select: 8, baseMul: 9, ladder: 10, cneg: 11, inv: 12, edDbl: 13, edMadd: 14, edAdd: 15, edLadder: 16, edDblP: 17, edMaddP: 18, edPadd: 19, edPaddP: 20, edSelect: 21, edBaseMul: 22 } as const;

/** A pointer operand of a formula: param local `l` (if any) plus a byte offset. */
interface Ptr {
  l?: number;
  o: number;
}

function ptr(p: Ptr): number[] {
  if (p.l === undefined) return op.i32Const(p.o);
  return p.o === 0 ? op.localGet(p.l) : [...op.localGet(p.l), ...op.i32Const(p.o), op.i32Add];
}

/** Memory layout, in units of one field element F = 4n bytes (first 64 elements); then the heap. */
export const SLOT = {
  zero: 0,
  one: 1,
  rawOne: 2,
  r2: 3,
  r3: 4,
  a: 5,
  /** Scratch used by the point formulas: 24 elements from here. */
  scratch: 8,
  /** Free for the caller (JavaScript): 32 elements from here. */
  io: 32,
  heap: 64,
} as const;

export interface FieldWasm {
  p: bigint;
  /** Limbs per element. */
  n: number;
  /** Bytes per field element. */
  F: number;
  /** Address of slot i of the fixed layout (SLOT). */
  at(slot: number): number;
  mul(d: number, a: number, b: number): void;
  sqr(d: number, a: number): void;
  add(d: number, a: number, b: number): void;
  sub(d: number, a: number, b: number): void;
  isZero(a: number): boolean;
  /** d = 2·s, Jacobian (d may equal s). Constant-time. */
  dbl(d: number, s: number): void;
  /** d = s + q, s Jacobian, q affine, no exceptional-case handling. Constant-time. */
  maddCt(d: number, s: number, q: number): void;
  /** d = s + q, s Jacobian, q affine, complete (s = ∞, s = q, s = −q handled). Branches. */
  maddPub(d: number, s: number, q: number): void;
  /** Copies entry idx of the `count` affine points at row into d, reading every entry. */
  select(d: number, row: number, count: number, idx: number): void;
  /** Σ_i ±row_i[digit_i & 0x7f] (− if bit 7) into acc (Jacobian): `rows` rows of `count` affine points. Constant-time. */
  baseMul(acc: number, table: number, rows: number, count: number, digits: number, tmp: number): void;
  /** for i = count−1..0: acc = 2·acc + [qOffs[i]] + [gOffs[i]] (addresses of affine points, 0 = none). */
  ladder(acc: number, qOffs: number, gOffs: number, count: number): void;
  /** a = flag ? −a : a for flag ∈ {0, 1}. Constant-time. */
  cneg(a: number, flag: number): void;
  /**
   * Twisted Edwards curve x² + y² = 1 + d·x²·y² (e = 1), extended coordinates (X : Y : Z : T),
   * T = XY/Z, four consecutive elements: d = 2·s (dbl-2008-hwcd, 4M + 4S). Constant-time.
   */
  edDbl(d: number, s: number): void;
  /** edDbl without computing T (3M + 4S): for a doubling that no addition follows. */
  edDblP(d: number, s: number): void;
  /**
   * d = s + q, s extended, q a precomputed affine entry (x, y, x + y, d·x·y): add-2008-hwcd
   * with Z2 = 1 (8M). Unified and complete when d is not a square. Constant-time.
   */
  edMadd(d: number, s: number, q: number): void;
  /** edMadd without computing T (7M): for an addition that a doubling follows. */
  edMaddP(d: number, s: number, q: number): void;
  /** d = s + q, q a projective entry (X, Y, X + Y, d·T, Z): add-2008-hwcd (9M). Complete. */
  edPadd(d: number, s: number, q: number): void;
  /** edPadd without computing T (8M). */
  edPaddP(d: number, s: number, q: number): void;
  /** baseMul on the Edwards curve: entries (x, y, x + y, d·x·y), acc extended. Constant-time. */
  edBaseMul(acc: number, table: number, rows: number, count: number, digits: number, tmp: number): void;
  /** d = s + q, both extended, dConst the address of the curve's d: add-2008-hwcd (10M). */
  edAdd(d: number, s: number, q: number, dConst: number): void;
  /** ladder() on the Edwards curve: acc extended, offsets of precomputed entries (edMadd). */
  edLadder(acc: number, qOffs: number, gOffs: number, count: number): void;
  copy(d: number, s: number, bytes: number): void;
  /** Writes x mod p in Montgomery form at address d. */
  writeMont(d: number, x: bigint): void;
  /** The value (not Montgomery) of the element at address s. */
  readMont(s: number): bigint;
  /** Writes the raw limbs of 0 ≤ x < 2^(29n) (no conversion). */
  writeRaw(d: number, x: bigint): void;
  readRaw(s: number): bigint;
  /** d = s^(p−2) = s^(−1) (0 for 0), one WebAssembly call: a fixed sequence (see invBody). */
  invFermat(d: number, s: number): void;
  /**
   * d = s^(−1) by BigInt extended Euclid: variable-time; measured 3× slower than invFermat for
   * TC26 256-A's p (33 µs against 10 µs on Node 20). Kept for the tests as a second method.
   */
  invPublic(d: number, s: number): void;
  /** Reserves `bytes` (rounded up to 64) of zeroed memory; grows the memory as needed. */
  alloc(bytes: number): number;
  /** Bytes at address s (a fresh view per call: the memory may have grown). */
  bytes(s: number, length: number): Uint8Array;
  /** An Int32Array view of `length` words at address s (fresh per call). */
  i32(s: number, length: number): Int32Array;
}

interface Gen {
  n: number;
  F: number;
  pLimbs: readonly bigint[];
  n0: bigint;
  /** p = 2^b − c with a small c: reduce by folding instead of Montgomery's method (R = 1). */
  special: { b: number; c: bigint } | null;
}

/**
 * mul(d, a, b) / sqr(d, a). Locals after the params: A[n], B[n] (2·a_i when squaring), M[n]
 * (Montgomery quotients), T[2n] (result limbs), acc, x.
 */
function mulBody(g: Gen, square: boolean): WasmFunctionDef {
  const { n, pLimbs, n0 } = g;
  const nParams = square ? 2 : 3;
  const A = (i: number): number => nParams + i;
  const B = (i: number): number => nParams + n + i;
  const M = (i: number): number => nParams + 2 * n + i;
  const T = (i: number): number => nParams + 3 * n + i;
  const ACC = nParams + 5 * n;
  const X = ACC + 1;
  const code: number[] = [];
  for (let i = 0; i < n; i += 1) code.push(...op.localGet(1), ...op.i64Load32U(4 * i), ...op.localSet(A(i)));
  for (let i = 0; i < n; i += 1) {
    if (square) code.push(...op.localGet(A(i)), ...op.i64Const(1n), op.i64Shl, ...op.localSet(B(i)));
    else code.push(...op.localGet(2), ...op.i64Load32U(4 * i), ...op.localSet(B(i)));
  }
  const mulAdd = (x: number[], y: number[]): void => {
    code.push(...op.localGet(ACC), ...x, ...y, op.i64Mul, op.i64Add, ...op.localSet(ACC));
  };
  const abColumn = (k: number): void => {
    for (let j = Math.max(0, k - n + 1); j <= Math.min(k, n - 1); j += 1) {
      const other = k - j;
      if (!square) mulAdd(op.localGet(A(j)), op.localGet(B(other)));
      else if (j < other) mulAdd(op.localGet(B(j)), op.localGet(A(other)));
      else if (j === other) mulAdd(op.localGet(A(j)), op.localGet(A(j)));
    }
  };
  const mpColumn = (k: number, from: number, to: number): void => {
    for (let j = from; j <= to; j += 1) {
      const limb = pLimbs[k - j] ?? 0n;
      if (limb !== 0n) mulAdd(op.localGet(M(j)), op.i64Const(limb));
    }
  };
  const shift = (): void => {
    code.push(...op.localGet(ACC), ...op.i64Const(BigInt(W)), op.i64ShrU, ...op.localSet(ACC));
  };
  /** T(i) = acc & MASK; acc >>= 29. */
  const limbOut = (i: number): void => {
    code.push(...op.localGet(ACC), ...op.i64Const(MASK_BIG), op.i64And, ...op.localSet(T(i)));
    shift();
  };
  if (g.special === null) {
    for (let k = 0; k < n; k += 1) {
      mpColumn(k, 0, k - 1);
      abColumn(k);
      code.push(...op.localGet(ACC), ...op.i64Const(MASK_BIG), op.i64And, ...op.i64Const(n0), op.i64Mul, ...op.i64Const(MASK_BIG), op.i64And, ...op.localSet(M(k)));
      mpColumn(k, k, k);
      shift();
    }
    for (let k = n; k < 2 * n; k += 1) {
      abColumn(k);
      mpColumn(k, k - n + 1, n - 1);
      limbOut(k - n);
    }
    code.push(...op.localGet(ACC), ...op.localSet(T(n)));
  } else {
    const { b, c } = g.special;
    const top = b - W * (n - 1); // bits of p in its top limb
    const topMask = (1n << BigInt(top)) - 1n;
    const K = c << BigInt(W * n - b); // 2^(29n) mod p
    // The full product in 2n limbs (< p² < 2^(2b) ≤ 2^(29·2n)).
    for (let k = 0; k < 2 * n - 1; k += 1) {
      abColumn(k);
      limbOut(k);
    }
    code.push(...op.localGet(ACC), ...op.localSet(T(2 * n - 1)), ...op.i64Const(0n), ...op.localSet(ACC));
    // Fold 1: limb k += K·limb (k + n), since 2^(29n) ≡ K.
    for (let k = 0; k < n; k += 1) {
      code.push(...op.localGet(ACC), ...op.localGet(T(k)), op.i64Add, ...op.localGet(T(k + n)), ...op.i64Const(K), op.i64Mul, op.i64Add, ...op.localSet(ACC));
      limbOut(k);
    }
    // Fold 2 at bit b (2^b ≡ c): the bits ≥ b of the top limb and the carry, times c, go to
    // limb 0. After fold 1 the value is below 2^(29n) + c·2^b, so those bits are fewer than
    // 2^(29n−b) + c and the value after fold 2 is below 2^b + 2^21 < 2p: one conditional
    // subtraction (reduceOnce) finishes.
    code.push(...op.localGet(T(n - 1)), ...op.i64Const(BigInt(top)), op.i64ShrU);
    code.push(...op.localGet(ACC), ...op.i64Const(BigInt(W - top)), op.i64Shl, op.i64Or);
    code.push(...op.i64Const(c), op.i64Mul, ...op.localSet(ACC));
    code.push(...op.localGet(T(n - 1)), ...op.i64Const(topMask), op.i64And, ...op.localSet(T(n - 1)));
    for (let k = 0; k < n; k += 1) {
      code.push(...op.localGet(ACC), ...op.localGet(T(k)), op.i64Add, ...op.localSet(ACC));
      limbOut(k);
    }
    code.push(...op.i64Const(0n), ...op.localSet(T(n)));
  }
  code.push(...reduceOnce(g, T, M, X, 0));
  const locals: ValType[] = new Array<ValType>(5 * n + 2).fill(I64);
  return { params: square ? [I32, I32] : [I32, I32, I32], results: [], locals, code };
}

/**
 * Stores t − p if t ≥ p else t, for t = T(0..n) < 2p (T(n) ∈ {0, 1} the top bit), at the address
 * in local `dst`, branch-free: the difference goes to locals D(0..n−1), then the mask chooses.
 * Uses local X as scratch.
 */
function reduceOnce(g: Gen, T: (i: number) => number, D: (i: number) => number, X: number, dst: number): number[] {
  const { n, pLimbs } = g;
  const code: number[] = [];
  const BORROW = X;
  // x = t_i − p_i − borrow; D_i = x & MASK; borrow = x >>> 63.
  for (let i = 0; i < n; i += 1) {
    code.push(...op.localGet(T(i)), ...op.i64Const(pLimbs[i] ?? 0n), op.i64Sub);
    if (i > 0) code.push(...op.localGet(BORROW), op.i64Sub);
    code.push(...op.localTee(BORROW), ...op.i64Const(MASK_BIG), op.i64And, ...op.localSet(D(i)));
    code.push(...op.localGet(BORROW), ...op.i64Const(63n), op.i64ShrU, ...op.localSet(BORROW));
  }
  // keep = all ones iff T(n) − borrow < 0 (t < p).
  code.push(...op.localGet(T(n)), ...op.localGet(BORROW), op.i64Sub, ...op.i64Const(63n), op.i64ShrS, ...op.localSet(BORROW));
  for (let i = 0; i < n; i += 1) {
    // out = D ^ ((t ^ D) & keep)
    code.push(...op.localGet(dst), ...op.localGet(D(i)), ...op.localGet(T(i)), ...op.localGet(D(i)), op.i64Xor, ...op.localGet(BORROW), op.i64And, op.i64Xor);
    code.push(...op.i64Store32(4 * i));
  }
  return code;
}

/** add(d, a, b): locals T[n+1], X after the 3 params. */
function addBody(g: Gen): WasmFunctionDef {
  const { n } = g;
  const T = (i: number): number => 3 + i;
  const X = 3 + n + 1;
  const code: number[] = [];
  for (let i = 0; i < n; i += 1) {
    code.push(...op.localGet(1), ...op.i64Load32U(4 * i), ...op.localGet(2), ...op.i64Load32U(4 * i), op.i64Add);
    if (i > 0) code.push(...op.localGet(X), op.i64Add);
    code.push(...op.localTee(T(i)), ...op.i64Const(BigInt(W)), op.i64ShrU, ...op.localSet(X));
    code.push(...op.localGet(T(i)), ...op.i64Const(MASK_BIG), op.i64And, ...op.localSet(T(i)));
  }
  code.push(...op.localGet(X), ...op.localSet(T(n)));
  code.push(...reduceOnce(g, T, (i) => X + 1 + i, X, 0));
  return { params: [I32, I32, I32], results: [], locals: new Array<ValType>(2 * n + 2).fill(I64), code };
}

/** sub(d, a, b): x = a − b; if it borrowed, add p. Locals T[n], Y[n], X (borrow / carry), K (mask). */
function subBody(g: Gen): WasmFunctionDef {
  const { n, pLimbs } = g;
  const T = (i: number): number => 3 + i;
  const X = 3 + n;
  const K = X + 1;
  const code: number[] = [];
  for (let i = 0; i < n; i += 1) {
    code.push(...op.localGet(1), ...op.i64Load32U(4 * i), ...op.localGet(2), ...op.i64Load32U(4 * i), op.i64Sub);
    if (i > 0) code.push(...op.localGet(X), op.i64Sub);
    code.push(...op.localTee(T(i)), ...op.i64Const(63n), op.i64ShrU, ...op.localSet(X));
    code.push(...op.localGet(T(i)), ...op.i64Const(MASK_BIG), op.i64And, ...op.localSet(T(i)));
  }
  // K = −borrow (all ones if a < b); add p & K.
  code.push(...op.i64Const(0n), ...op.localGet(X), op.i64Sub, ...op.localSet(K));
  code.push(...op.i64Const(0n), ...op.localSet(X));
  for (let i = 0; i < n; i += 1) {
    code.push(...op.localGet(0));
    code.push(...op.localGet(T(i)), ...op.i64Const(pLimbs[i] ?? 0n), ...op.localGet(K), op.i64And, op.i64Add, ...op.localGet(X), op.i64Add);
    code.push(...op.localTee(T(i)), ...op.i64Const(MASK_BIG), op.i64And, ...op.i64Store32(4 * i));
    code.push(...op.localGet(T(i)), ...op.i64Const(BigInt(W)), op.i64ShrU, ...op.localSet(X));
  }
  return { params: [I32, I32, I32], results: [], locals: new Array<ValType>(n + 2).fill(I64), code };
}

/** isZero(a) → 1 if every limb is 0. */
function isZeroBody(g: Gen): WasmFunctionDef {
  const code: number[] = [...op.i64Const(0n)];
  for (let i = 0; i < g.n; i += 1) code.push(...op.localGet(0), ...op.i64Load32U(4 * i), op.i64Or);
  code.push(op.i64Eqz);
  return { params: [I32], results: [I32], locals: [], code };
}

/** A tiny formula language over pointers: each step is a call to mul/sqr/add/sub. */
function formula(g: Gen): {
  code: number[];
  mul: (d: Ptr, a: Ptr, b: Ptr) => void;
  sqr: (d: Ptr, a: Ptr) => void;
  add: (d: Ptr, a: Ptr, b: Ptr) => void;
  sub: (d: Ptr, a: Ptr, b: Ptr) => void;
  copy: (d: Ptr, s: Ptr, bytes: number) => void;
  S: (k: number) => Ptr;
} {
  const code: number[] = [];
  return {
    code,
    mul: (d, a, b) => code.push(...ptr(d), ...ptr(a), ...ptr(b), ...op.call(FN.mul)),
    sqr: (d, a) => code.push(...ptr(d), ...ptr(a), ...op.call(FN.sqr)),
    add: (d, a, b) => code.push(...ptr(d), ...ptr(a), ...ptr(b), ...op.call(FN.add)),
    sub: (d, a, b) => code.push(...ptr(d), ...ptr(a), ...ptr(b), ...op.call(FN.sub)),
    copy: (d, s, bytes) => code.push(...ptr(d), ...ptr(s), ...op.i32Const(bytes), ...op.memoryCopy),
    S: (k) => ({ o: (SLOT.scratch + k) * g.F }),
  };
}

/** dbl(d, s): dbl-2001-b (3M + 5S) when a = −3, else dbl-2007-bl (1M + 8S + 1 mult. by a); EFD. */
function dblBody(g: Gen, aIsMinus3: boolean): WasmFunctionDef {
  const F = g.F;
  const f = formula(g);
  const { S } = f;
  const X1: Ptr = { l: 1, o: 0 };
  const Y1: Ptr = { l: 1, o: F };
  const Z1: Ptr = { l: 1, o: 2 * F };
  const OX = S(20);
  const OY = S(21);
  const OZ = S(22);
  if (aIsMinus3) {
    f.sqr(S(0), Z1); // delta
    f.sqr(S(1), Y1); // gamma
    f.mul(S(2), X1, S(1)); // beta
    f.sub(S(3), X1, S(0));
    f.add(S(4), X1, S(0));
    f.mul(S(3), S(3), S(4));
    f.add(S(4), S(3), S(3));
    f.add(S(3), S(4), S(3)); // alpha = 3(X − δ)(X + δ)
    f.sqr(S(5), S(3));
    f.add(S(6), S(2), S(2));
    f.add(S(6), S(6), S(6)); // 4β
    f.add(S(7), S(6), S(6)); // 8β
    f.sub(OX, S(5), S(7));
    f.add(S(8), Y1, Z1);
    f.sqr(S(8), S(8));
    f.sub(S(8), S(8), S(1));
    f.sub(OZ, S(8), S(0));
    f.sub(S(9), S(6), OX);
    f.mul(S(9), S(3), S(9));
    f.sqr(S(10), S(1));
    f.add(S(10), S(10), S(10));
    f.add(S(10), S(10), S(10));
    f.add(S(10), S(10), S(10)); // 8γ²
    f.sub(OY, S(9), S(10));
  } else {
    const A: Ptr = { o: SLOT.a * F };
    f.sqr(S(0), X1); // XX
    f.sqr(S(1), Y1); // YY
    f.sqr(S(2), S(1)); // YYYY
    f.sqr(S(3), Z1); // ZZ
    f.add(S(4), X1, S(1));
    f.sqr(S(4), S(4));
    f.sub(S(4), S(4), S(0));
    f.sub(S(4), S(4), S(2));
    f.add(S(4), S(4), S(4)); // S
    f.sqr(S(5), S(3));
    f.mul(S(5), A, S(5));
    f.add(S(6), S(0), S(0));
    f.add(S(6), S(6), S(0));
    f.add(S(5), S(6), S(5)); // M = 3XX + a·ZZ²
    f.sqr(S(7), S(5));
    f.add(S(8), S(4), S(4));
    f.sub(OX, S(7), S(8)); // T
    f.sub(S(9), S(4), OX);
    f.mul(S(9), S(5), S(9));
    f.add(S(10), S(2), S(2));
    f.add(S(10), S(10), S(10));
    f.add(S(10), S(10), S(10));
    f.sub(OY, S(9), S(10));
    f.add(S(11), Y1, Z1);
    f.sqr(S(11), S(11));
    f.sub(S(11), S(11), S(1));
    f.sub(OZ, S(11), S(3));
  }
  f.copy({ l: 0, o: 0 }, OX, 3 * F);
  return { params: [I32, I32], results: [], locals: [], code: f.code };
}

/**
 * madd(d, s, q): madd-2007-bl (7M + 4S), s Jacobian, q affine. The public variant first handles
 * s = ∞ (d = q) and, once H and r are known, H = 0: s = q (d = 2s) or s = −q (d = ∞).
 */
function maddBody(g: Gen, complete: boolean): WasmFunctionDef {
  const F = g.F;
  const f = formula(g);
  const { S } = f;
  const D: Ptr = { l: 0, o: 0 };
  const X1: Ptr = { l: 1, o: 0 };
  const Y1: Ptr = { l: 1, o: F };
  const Z1: Ptr = { l: 1, o: 2 * F };
  const X2: Ptr = { l: 2, o: 0 };
  const Y2: Ptr = { l: 2, o: F };
  const ONE: Ptr = { o: SLOT.one * F };
  const ZERO: Ptr = { o: SLOT.zero * F };
  const OX = S(20);
  if (complete) {
    f.code.push(...ptr(Z1), ...op.call(FN.isZero), ...op.if());
    f.copy(D, X2, 2 * F);
    f.copy({ l: 0, o: 2 * F }, ONE, F);
    f.code.push(op.return, op.end);
  }
  f.sqr(S(0), Z1); // Z1Z1
  f.mul(S(1), X2, S(0)); // U2
  f.mul(S(2), Z1, S(0));
  f.mul(S(2), Y2, S(2)); // S2
  f.sub(S(3), S(1), X1); // H
  f.sub(S(4), S(2), Y1);
  f.add(S(4), S(4), S(4)); // r
  if (complete) {
    f.code.push(...ptr(S(3)), ...op.call(FN.isZero), ...op.if());
    f.code.push(...ptr(S(4)), ...op.call(FN.isZero), ...op.if());
    f.code.push(...ptr(D), ...ptr(X1), ...op.call(FN.dbl));
    f.code.push(op.else);
    f.copy(D, ONE, F);
    f.copy({ l: 0, o: F }, ONE, F);
    f.copy({ l: 0, o: 2 * F }, ZERO, F);
    f.code.push(op.end, op.return, op.end);
  }
  f.sqr(S(5), S(3)); // HH
  f.add(S(6), S(5), S(5));
  f.add(S(6), S(6), S(6)); // I
  f.mul(S(7), S(3), S(6)); // J
  f.mul(S(8), X1, S(6)); // V
  f.sqr(S(9), S(4));
  f.sub(S(9), S(9), S(7));
  f.add(S(10), S(8), S(8));
  f.sub(OX, S(9), S(10));
  f.sub(S(11), S(8), OX);
  f.mul(S(11), S(4), S(11));
  f.mul(S(12), Y1, S(7));
  f.add(S(12), S(12), S(12));
  f.sub(S(21), S(11), S(12));
  f.add(S(13), Z1, S(3));
  f.sqr(S(13), S(13));
  f.sub(S(13), S(13), S(0));
  f.sub(S(22), S(13), S(5));
  f.copy(D, OX, 3 * F);
  return { params: [I32, I32, I32], results: [], locals: [], code: f.code };
}

/**
 * select(d, row, count, idx): d = row[idx] (affine entries of 2F = 8n bytes), every entry read
 * and masked in: 128-bit SIMD words, plus one 64-bit word when n is odd. Measured on Node 20
 * (TC26 256-A, 32 entries): 0.1 µs against 0.2 µs with 64-bit words only.
 */
function selectBody(g: Gen, elems = 2): WasmFunctionDef {
  const entryBytes = elems * g.F;
  const vecs = Math.floor(entryBytes / 16); // 16-byte words per entry
  const tail = entryBytes % 16 === 8; // one 8-byte word left
  const E = 4; // entry counter (i32)
  const P = 5; // entry pointer (i32)
  const MK = 6; // mask (i64)
  const TAIL = 7; // i64 accumulator of the tail word
  const MV = 8; // mask (v128)
  const ACC = (k: number): number => 9 + k; // v128 accumulators
  const code: number[] = [...op.localGet(1), ...op.localSet(P), ...op.block(), ...op.loop()];
  code.push(...op.i64Const(0n), ...op.localGet(E), ...op.localGet(3), op.i32Eq, op.i64ExtendI32U, op.i64Sub, ...op.localTee(MK), ...op.i64x2Splat, ...op.localSet(MV));
  for (let k = 0; k < vecs; k += 1) {
    code.push(...op.localGet(ACC(k)), ...op.localGet(P), ...op.v128Load(16 * k), ...op.localGet(MV), ...op.v128And, ...op.v128Or, ...op.localSet(ACC(k)));
  }
  if (tail) code.push(...op.localGet(TAIL), ...op.localGet(P), ...op.i64Load(16 * vecs), ...op.localGet(MK), op.i64And, op.i64Or, ...op.localSet(TAIL));
  code.push(...op.localGet(P), ...op.i32Const(entryBytes), op.i32Add, ...op.localSet(P));
  code.push(...op.localGet(E), ...op.i32Const(1), op.i32Add, ...op.localTee(E), ...op.localGet(2), op.i32LtU, ...op.brIf(0));
  code.push(op.end, op.end);
  for (let k = 0; k < vecs; k += 1) code.push(...op.localGet(0), ...op.localGet(ACC(k)), ...op.v128Store(16 * k));
  if (tail) code.push(...op.localGet(0), ...op.localGet(TAIL), ...op.i64Store(16 * vecs));
  const locals: ValType[] = [I32, I32, I64, I64, V128, ...new Array<ValType>(vecs).fill(V128)];
  return { params: [I32, I32, I32, I32], results: [], locals, code };
}

/**
 * baseMul(acc, table, rows, count, digits, tmp): acc = Σ_i ±row_i[digit_i] (Jacobian), rows of
 * `count` affine entries; digit byte i at digits + i holds the entry index in bits 0–6 and the
 * sign in bit 7. Every row is fully scanned (select), the sign applied by cneg, every addition
 * is maddCt: a fixed sequence of instructions and addresses for given rows and count.
 */
function baseMulBody(g: Gen): WasmFunctionDef {
  const F = g.F;
  const [ACC, TABLE, ROWS, COUNT, DIGITS, TMP, I, ROW, ROW_BYTES, DIGIT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const code: number[] = [];
  /** select(dst, row, count, digit & 0x7f); cneg(dst + F, digit >> 7), digit read at DIGITS + I. */
  const pick = (dst: number[]): void => {
    code.push(...op.localGet(DIGITS), ...op.localGet(I), op.i32Add, ...op.i32Load8U(0), ...op.localSet(DIGIT));
    code.push(...dst, ...op.localGet(ROW), ...op.localGet(COUNT), ...op.localGet(DIGIT), ...op.i32Const(0x7f), op.i32And, ...op.call(FN.select));
    code.push(...dst, ...op.i32Const(F), op.i32Add, ...op.localGet(DIGIT), ...op.i32Const(7), op.i32ShrU, ...op.call(FN.cneg));
  };
  code.push(...op.localGet(COUNT), ...op.i32Const(2 * F), op.i32Mul, ...op.localSet(ROW_BYTES));
  code.push(...op.localGet(TABLE), ...op.localSet(ROW));
  pick(op.localGet(ACC));
  code.push(...op.localGet(ACC), ...op.i32Const(2 * F), op.i32Add, ...op.i32Const(SLOT.one * F), ...op.i32Const(F), ...op.memoryCopy);
  code.push(...op.i32Const(1), ...op.localSet(I), ...op.localGet(TABLE), ...op.localGet(ROW_BYTES), op.i32Add, ...op.localSet(ROW));
  code.push(...op.block(), ...op.loop());
  code.push(...op.localGet(I), ...op.localGet(ROWS), op.i32GeU, ...op.brIf(1));
  pick(op.localGet(TMP));
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.localGet(TMP), ...op.call(FN.maddCt));
  code.push(...op.localGet(I), ...op.i32Const(1), op.i32Add, ...op.localSet(I));
  code.push(...op.localGet(ROW), ...op.localGet(ROW_BYTES), op.i32Add, ...op.localSet(ROW));
  code.push(...op.br(0), op.end, op.end);
  return { params: [I32, I32, I32, I32, I32, I32], results: [], locals: [I32, I32, I32, I32], code };
}

/**
 * edBaseMul(acc, table, rows, count, digits, tmp): baseMul on the Edwards curve, entries
 * (x, y, x + y, d·x·y) (edSelect scans whole rows), acc extended from the neutral element.
 * The negation −(x, y) = (−x, y) is applied by cneg to x and d·x·y and x + y recomputed;
 * the additions are complete (edMadd), so there is no exceptional case at all.
 */
function edBaseMulBody(g: Gen): WasmFunctionDef {
  const F = g.F;
  const [ACC, TABLE, ROWS, COUNT, DIGITS, TMP, I, ROW, ROW_BYTES, DIGIT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const code: number[] = [];
  code.push(...op.localGet(COUNT), ...op.i32Const(4 * F), op.i32Mul, ...op.localSet(ROW_BYTES));
  code.push(...op.localGet(TABLE), ...op.localSet(ROW));
  // acc = (0 : 1 : 1 : 0).
  code.push(...op.localGet(ACC), ...op.i32Const(SLOT.zero * F), ...op.i32Const(F), ...op.memoryCopy);
  code.push(...op.localGet(ACC), ...op.i32Const(F), op.i32Add, ...op.i32Const(SLOT.one * F), ...op.i32Const(F), ...op.memoryCopy);
  code.push(...op.localGet(ACC), ...op.i32Const(2 * F), op.i32Add, ...op.i32Const(SLOT.one * F), ...op.i32Const(F), ...op.memoryCopy);
  code.push(...op.localGet(ACC), ...op.i32Const(3 * F), op.i32Add, ...op.i32Const(SLOT.zero * F), ...op.i32Const(F), ...op.memoryCopy);
  code.push(...op.block(), ...op.loop());
  code.push(...op.localGet(I), ...op.localGet(ROWS), op.i32GeU, ...op.brIf(1));
  code.push(...op.localGet(DIGITS), ...op.localGet(I), op.i32Add, ...op.i32Load8U(0), ...op.localSet(DIGIT));
  code.push(...op.localGet(TMP), ...op.localGet(ROW), ...op.localGet(COUNT), ...op.localGet(DIGIT), ...op.i32Const(0x7f), op.i32And, ...op.call(FN.edSelect));
  for (const off of [0, 3 * F]) code.push(...op.localGet(TMP), ...op.i32Const(off), op.i32Add, ...op.localGet(DIGIT), ...op.i32Const(7), op.i32ShrU, ...op.call(FN.cneg));
  code.push(...op.localGet(TMP), ...op.i32Const(2 * F), op.i32Add, ...op.localGet(TMP), ...op.localGet(TMP), ...op.i32Const(F), op.i32Add, ...op.call(FN.add));
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.localGet(TMP), ...op.call(FN.edMadd));
  code.push(...op.localGet(I), ...op.i32Const(1), op.i32Add, ...op.localSet(I));
  code.push(...op.localGet(ROW), ...op.localGet(ROW_BYTES), op.i32Add, ...op.localSet(ROW));
  code.push(...op.br(0), op.end, op.end);
  return { params: [I32, I32, I32, I32, I32, I32], results: [], locals: [I32, I32, I32, I32], code };
}

/** cneg(a, flag): a = flag ? −a mod p : a, flag ∈ {0, 1}, branch-free (−a computed always). */
function cnegBody(g: Gen): WasmFunctionDef {
  const NEG = (SLOT.scratch + 19) * g.F;
  const MK = 2; // i64 mask
  const X = 3; // i64 limb of a
  const code: number[] = [...op.i32Const(NEG), ...op.i32Const(SLOT.zero * g.F), ...op.localGet(0), ...op.call(FN.sub)];
  code.push(...op.i64Const(0n), ...op.localGet(1), op.i64ExtendI32U, op.i64Sub, ...op.localSet(MK));
  for (let i = 0; i < g.n; i += 1) {
    code.push(...op.localGet(0), ...op.localGet(0), ...op.i64Load32U(4 * i), ...op.localTee(X));
    code.push(...op.localGet(X), ...op.i32Const(NEG), ...op.i64Load32U(4 * i), op.i64Xor, ...op.localGet(MK), op.i64And, op.i64Xor);
    code.push(...op.i64Store32(4 * i));
  }
  return { params: [I32, I32], results: [], locals: [I64, I64], code };
}

/**
 * ladder(acc, qOffs, gOffs, count): for i = count − 1 down to 0: acc = 2·acc, then
 * acc += the affine point at address qOffs[i], then at gOffs[i] (i32 arrays; 0 = no addition).
 * The double-and-add loop of every public scalar multiplication (NAF and combs), with maddPub.
 */
function ladderBody(): WasmFunctionDef {
  const [ACC, QOFFS, GOFFS, I, A] = [0, 1, 2, 3, 4];
  const code: number[] = [...op.block(), ...op.loop()];
  code.push(...op.localGet(I), op.i32Eqz, ...op.brIf(1));
  code.push(...op.localGet(I), ...op.i32Const(1), op.i32Sub, ...op.localSet(I));
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.call(FN.dbl));
  for (const offs of [QOFFS, GOFFS]) {
    code.push(...op.localGet(offs), ...op.localGet(I), ...op.i32Const(4), op.i32Mul, op.i32Add, ...op.i32Load(0), ...op.localTee(A));
    code.push(...op.if(), ...op.localGet(ACC), ...op.localGet(ACC), ...op.localGet(A), ...op.call(FN.maddPub), op.end);
  }
  code.push(...op.br(0), op.end, op.end);
  return { params: [I32, I32, I32, I32], results: [], locals: [I32], code };
}

/** The four coordinates of an extended Edwards point at param local l. */
function edPoint(l: number, F: number): [Ptr, Ptr, Ptr, Ptr] {
  return [
    { l, o: 0 },
    { l, o: F },
    { l, o: 2 * F },
    { l, o: 3 * F },
  ];
}

/**
 * The outputs of add-2008-hwcd / dbl-2008-hwcd from E, F, G, H at scratch 3..6:
 * X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G. Written after every input is read, so d may equal s.
 */
function edOut(f: ReturnType<typeof formula>, F: number, withT: boolean): void {
  const { S } = f;
  const [X3, Y3, Z3, T3] = edPoint(0, F);
  f.mul(X3, S(3), S(4));
  f.mul(Y3, S(5), S(6));
  if (withT) f.mul(T3, S(3), S(6));
  f.mul(Z3, S(4), S(5));
}

/**
 * edDbl(d, s): dbl-2008-hwcd (Hisil–Wong–Carter–Dawson, ASIACRYPT 2008) with a = e = 1.
 * Without T (edDblP, 3M + 4S) when no addition follows: T is read only by additions.
 */
function edDblBody(g: Gen, withT: boolean): WasmFunctionDef {
  const F = g.F;
  const f = formula(g);
  const { S } = f;
  const [X1, Y1, Z1] = edPoint(1, F);
  f.sqr(S(0), X1); // A
  f.sqr(S(1), Y1); // B
  f.sqr(S(2), Z1);
  f.add(S(2), S(2), S(2)); // C = 2Z²
  f.add(S(3), X1, Y1);
  f.sqr(S(3), S(3));
  f.sub(S(3), S(3), S(0));
  f.sub(S(3), S(3), S(1)); // E
  f.add(S(5), S(0), S(1)); // G = A + B
  f.sub(S(4), S(5), S(2)); // F = G − C
  f.sub(S(6), S(0), S(1)); // H = A − B
  edOut(f, F, withT);
  return { params: [I32, I32], results: [], locals: [], code: f.code };
}

/**
 * How the second operand q of an Edwards addition is given: 'affine', the precomputed entry
 * (x, y, x + y, d·x·y) with Z2 = 1; 'pre', the projective entry (X, Y, X + Y, d·T, Z) that
 * needs no inversion to make; 'ext', a plain extended point (X, Y, Z, T), d at a 4th param.
 */
type EdOperand = 'affine' | 'pre' | 'ext';

/**
 * edMadd(d, s, q), edPadd(d, s, q), edAdd(d, s, q, dConst): add-2008-hwcd with a = 1,
 * A = X1X2, B = Y1Y2, C = d·T1T2, D = Z1Z2, E = (X1 + Y1)(X2 + Y2) − A − B, F = D − C,
 * G = D + C, H = B − A: 8M for an affine entry, 9M for a projective one, 10M for a plain point.
 */
function edAddBody(g: Gen, operand: EdOperand, withT: boolean): WasmFunctionDef {
  const F = g.F;
  const f = formula(g);
  const { S } = f;
  const [X1, Y1, Z1, T1] = edPoint(1, F);
  const q = (i: number): Ptr => ({ l: 2, o: i * F });
  f.mul(S(0), X1, q(0)); // A
  f.mul(S(1), Y1, q(1)); // B
  f.mul(S(2), T1, q(3));
  if (operand === 'ext') f.mul(S(2), S(2), { l: 3, o: 0 }); // C = d·T1·T2
  f.add(S(3), X1, Y1);
  if (operand === 'ext') {
    f.add(S(7), q(0), q(1));
    f.mul(S(3), S(3), S(7));
  } else f.mul(S(3), S(3), q(2));
  f.sub(S(3), S(3), S(0));
  f.sub(S(3), S(3), S(1)); // E
  let D = Z1;
  if (operand !== 'affine') {
    D = S(8);
    f.mul(D, Z1, q(operand === 'ext' ? 2 : 4));
  }
  f.sub(S(4), D, S(2)); // F
  f.add(S(5), D, S(2)); // G
  f.sub(S(6), S(1), S(0)); // H
  edOut(f, F, withT);
  return { params: operand === 'ext' ? [I32, I32, I32, I32] : [I32, I32, I32], results: [], locals: [], code: f.code };
}

/**
 * edLadder(acc, qOffs, gOffs, count): ladderBody on the Edwards curve (complete: no branches
 * but the offsets); qOffs point to projective entries (edPadd), gOffs to affine ones (edMadd). T is computed only where an addition reads it next: the doubling of a step
 * with an addition, the first of two additions.
 */
function edLadderBody(): WasmFunctionDef {
  const [ACC, QOFFS, GOFFS, I, A, B] = [0, 1, 2, 3, 4, 5];
  const code: number[] = [...op.block(), ...op.loop()];
  code.push(...op.localGet(I), op.i32Eqz, ...op.brIf(1));
  code.push(...op.localGet(I), ...op.i32Const(1), op.i32Sub, ...op.localSet(I));
  code.push(...op.localGet(QOFFS), ...op.localGet(I), ...op.i32Const(4), op.i32Mul, op.i32Add, ...op.i32Load(0), ...op.localSet(A));
  code.push(...op.localGet(GOFFS), ...op.localGet(I), ...op.i32Const(4), op.i32Mul, op.i32Add, ...op.i32Load(0), ...op.localSet(B));
  code.push(...op.localGet(A), ...op.localGet(B), op.i32Or, ...op.if());
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.call(FN.edDbl), op.else);
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.call(FN.edDblP), op.end);
  code.push(...op.localGet(A), ...op.if(), ...op.localGet(B), ...op.if());
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.localGet(A), ...op.call(FN.edPadd), op.else);
  code.push(...op.localGet(ACC), ...op.localGet(ACC), ...op.localGet(A), ...op.call(FN.edPaddP), op.end, op.end);
  code.push(...op.localGet(B), ...op.if(), ...op.localGet(ACC), ...op.localGet(ACC), ...op.localGet(B), ...op.call(FN.edMaddP), op.end);
  code.push(...op.br(0), op.end, op.end);
  return { params: [I32, I32, I32, I32], results: [], locals: [I32, I32], code };
}

/**
 * inv(d, s): d = s^(p−2) = s^(−1) (Fermat; 0 for s = 0) as straight-line code (p is fixed per
 * module), the same sequence for every s. p − 2 of a prime 2^b − c starts with a long run of
 * ones (246 of 256 bits for TC26 256-A): s^(2^L − 1) for that run costs L squarings and
 * ~2·log2(L) multiplications by the chain x_(2m) = x_m^(2^m)·x_m, x_(m+1) = x_m²·s; the
 * remaining bits go through 4-bit windows (a table s^0..s^15) or, when few, bit by bit.
 * For TC26 256-A: 256 S + 19 M instead of 252 S + 77 M with plain 4-bit windows (10 µs on
 * Node 20).
 * Scratch: the table in io slots 16..31, the chain value in io slot 14, the result in 15.
 */
function invBody(g: Gen, p: bigint): WasmFunctionDef {
  const f = formula(g);
  const F = g.F;
  const t = (j: number): Ptr => ({ o: (SLOT.io + 16 + j) * F });
  const acc: Ptr = { o: (SLOT.io + 15) * F };
  const run: Ptr = { o: (SLOT.io + 14) * F };
  const S: Ptr = { l: 1, o: 0 };
  const bits = (p - 2n).toString(2);
  let L = 0;
  while (L < bits.length && bits.charAt(L) === '1') L += 1;
  // x_L by the binary expansion of L, most significant bit first.
  f.copy(t(1), S, F);
  f.copy(acc, S, F);
  let m = 1;
  for (const bit of L.toString(2).slice(1)) {
    f.copy(run, acc, F);
    for (let i = 0; i < m; i += 1) f.sqr(acc, acc);
    f.mul(acc, acc, run);
    m *= 2;
    if (bit === '1') {
      f.sqr(acc, acc);
      f.mul(acc, acc, t(1));
      m += 1;
    }
  }
  const rest = bits.slice(L);
  if (rest.length <= 24) {
    for (const bit of rest) {
      f.sqr(acc, acc);
      if (bit === '1') f.mul(acc, acc, t(1));
    }
  } else {
    f.copy(t(0), { o: SLOT.one * F }, F);
    f.sqr(t(2), t(1));
    for (let j = 3; j < 16; j += 1) f.mul(t(j), t(j - 1), t(1));
    // Leading bits up to a multiple of 4, then whole nibbles.
    const lead = rest.length % 4;
    for (let i = 0; i < lead; i += 1) {
      f.sqr(acc, acc);
      if (rest.charAt(i) === '1') f.mul(acc, acc, t(1));
    }
    for (let i = lead; i < rest.length; i += 4) {
      for (let j = 0; j < 4; j += 1) f.sqr(acc, acc);
      const digit = Number.parseInt(rest.slice(i, i + 4), 2);
      if (digit !== 0) f.mul(acc, acc, t(digit));
    }
  }
  f.copy({ l: 0, o: 0 }, acc, F);
  return { params: [I32, I32], results: [], locals: [], code: f.code };
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const quotient = r0 / r1;
    [r0, r1] = [r1, r0 - quotient * r1];
    [s0, s1] = [s1, s0 - quotient * s1];
  }
  return ((s0 % m) + m) % m;
}

/**
 * Generates, compiles and instantiates the module for prime p and curve coefficient a
 * (a ≡ −3 selects the cheaper doubling). Costs a few milliseconds; callers cache it per curve.
 */
export function createFieldWasm(p: bigint, a: bigint): FieldWasm {
  if ((p & 1n) === 0n || p < 3n) throw new Error('createFieldWasm: p must be an odd prime');
  const bits = p.toString(2).length;
  const n = Math.ceil(bits / W);
  const F = 4 * n;
  // p = 2^bits − c with c < 2^16 (TC26 256-A / CryptoPro-A, TC26 512-A / 512-C): fold reduction,
  // elements kept as plain residues (R = 1). Other primes: Montgomery, R = 2^(29n).
  const c = (1n << BigInt(bits)) - p;
  const special = c > 0n && c < 1n << 16n ? { b: bits, c } : null;
  const R = special === null ? 1n << BigInt(W * n) : 1n;
  const pLimbs: bigint[] = [];
  for (let i = 0; i < n; i += 1) pLimbs.push((p >> BigInt(W * i)) & MASK_BIG);
  // n0 = −p^(−1) mod 2^29.
  const n0 = (1n << BigInt(W)) - modInverse(p & MASK_BIG, 1n << BigInt(W));
  const g: Gen = { n, F, pLimbs, n0, special };
  const am = ((a % p) + p) % p;
  const bytes = assembleModule(1, [
    { name: 'mul', ...mulBody(g, false) },
    { name: 'sqr', ...mulBody(g, true) },
    { name: 'add', ...addBody(g) },
    { name: 'sub', ...subBody(g) },
    { name: 'isZero', ...isZeroBody(g) },
    { name: 'dbl', ...dblBody(g, am === p - 3n) },
    { name: 'maddCt', ...maddBody(g, false) },
    { name: 'maddPub', ...maddBody(g, true) },
    { name: 'select', ...selectBody(g) },
    { name: 'baseMul', ...baseMulBody(g) },
    { name: 'ladder', ...ladderBody() },
    { name: 'cneg', ...cnegBody(g) },
    { name: 'inv', ...invBody(g, p) },
    { name: 'edDbl', ...edDblBody(g, true) },
    { name: 'edMadd', ...edAddBody(g, 'affine', true) },
    { name: 'edAdd', ...edAddBody(g, 'ext', true) },
    { name: 'edLadder', ...edLadderBody() },
    { name: 'edDblP', ...edDblBody(g, false) },
    { name: 'edMaddP', ...edAddBody(g, 'affine', false) },
    { name: 'edPadd', ...edAddBody(g, 'pre', true) },
    { name: 'edPaddP', ...edAddBody(g, 'pre', false) },
    { name: 'edSelect', ...selectBody(g, 4) },
    { name: 'edBaseMul', ...edBaseMulBody(g) },
  ]);
  const heapStart = Math.ceil((SLOT.heap * F) / 64) * 64;
  const { memory, exports } = instantiate(bytes, 1);
  const fn = <T>(name: string): T => exports[name] as T;
  const mul = fn<(d: number, a: number, b: number) => void>('mul');
  const sqr = fn<(d: number, a: number) => void>('sqr');
  const add = fn<(d: number, a: number, b: number) => void>('add');
  const sub = fn<(d: number, a: number, b: number) => void>('sub');
  const isZeroW = fn<(a: number) => number>('isZero');
  const dbl = fn<(d: number, s: number) => void>('dbl');
  const maddCt = fn<(d: number, s: number, q: number) => void>('maddCt');
  const maddPub = fn<(d: number, s: number, q: number) => void>('maddPub');
  const select = fn<(d: number, row: number, count: number, idx: number) => void>('select');
  const baseMul = fn<(acc: number, table: number, rows: number, count: number, digits: number, tmp: number) => void>('baseMul');
  const ladder = fn<(acc: number, qOffs: number, gOffs: number, count: number) => void>('ladder');
  const cneg = fn<(a: number, flag: number) => void>('cneg');
  const inv = fn<(d: number, s: number) => void>('inv');
  const edDbl = fn<(d: number, s: number) => void>('edDbl');
  const edMadd = fn<(d: number, s: number, q: number) => void>('edMadd');
  const edAdd = fn<(d: number, s: number, q: number, dConst: number) => void>('edAdd');
  const edLadder = fn<(acc: number, qOffs: number, gOffs: number, count: number) => void>('edLadder');
  const edDblP = fn<(d: number, s: number) => void>('edDblP');
  const edMaddP = fn<(d: number, s: number, q: number) => void>('edMaddP');
  const edPadd = fn<(d: number, s: number, q: number) => void>('edPadd');
  const edPaddP = fn<(d: number, s: number, q: number) => void>('edPaddP');
  const edBaseMul = fn<(acc: number, table: number, rows: number, count: number, digits: number, tmp: number) => void>('edBaseMul');

  let u32 = new Uint32Array(memory.buffer);
  let u8 = new Uint8Array(memory.buffer);
  const view = (): Uint32Array => {
    if (u32.buffer !== memory.buffer) u32 = new Uint32Array(memory.buffer);
    return u32;
  };
  // The value's 32-bit words, and the same bytes as 64-bit words: BigInt ↔ limbs goes through
  // BigUint64Array elements (one BigInt per 64 bits) instead of a hex string, which cost
  // ~3 µs per 256-bit read (two reads per signature). Typed arrays use the platform's byte
  // order, so the 64-bit word k is words[2k] + 2^32·words[2k + 1] only on little-endian
  // platforms; elsewhere the hex path stays.
  const wordCount = 2 * Math.ceil((Math.ceil((W * n) / 32) + 1) / 2);
  const words = new Uint32Array(wordCount);
  const words64 = new BigUint64Array(words.buffer);
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const writeRaw = (d: number, x: bigint): void => {
    if (littleEndian) {
      let rest = x;
      for (let k = 0; k < words64.length; k += 1) {
        words64[k] = BigInt.asUintN(64, rest);
        rest >>= 64n;
      }
    } else {
      const hex = x.toString(16);
      words.fill(0);
      for (let k = 0, end = hex.length; end > 0; k += 1, end -= 8) words[k] = Number.parseInt(hex.slice(Math.max(0, end - 8), end), 16);
    }
    const m = view();
    const base = d >>> 2;
    for (let i = 0; i < n; i += 1) {
      const bit = W * i;
      const k = bit >>> 5;
      const sh = bit & 31;
      let v = (words[k] ?? 0) >>> sh;
      if (sh > 32 - W) v |= (words[k + 1] ?? 0) << (32 - sh);
      m[base + i] = v & MASK;
    }
  };
  const readRaw = (s: number): bigint => {
    const m = view();
    const base = s >>> 2;
    words.fill(0);
    for (let i = 0; i < n; i += 1) {
      const limb = m[base + i] ?? 0;
      const bit = W * i;
      const k = bit >>> 5;
      const sh = bit & 31;
      words[k] = ((words[k] ?? 0) | (limb << sh)) >>> 0;
      if (sh > 32 - W) words[k + 1] = ((words[k + 1] ?? 0) | (limb >>> (32 - sh))) >>> 0;
    }
    if (littleEndian) {
      let v = 0n;
      for (let k = words64.length - 1; k >= 0; k -= 1) v = (v << 64n) | (words64[k] ?? 0n);
      return v;
    }
    let hex = '';
    for (let k = words.length - 1; k >= 0; k -= 1) hex += (words[k] ?? 0).toString(16).padStart(8, '0');
    return BigInt(`0x${hex}`);
  };
  const at = (slot: number): number => slot * F;
  let heap = heapStart;
  const field: FieldWasm = {
    p,
    n,
    F,
    at,
    mul,
    sqr,
    add,
    sub,
    isZero: (x) => isZeroW(x) === 1,
    dbl,
    maddCt,
    maddPub,
    select,
    baseMul,
    ladder,
    cneg,
    edDbl,
    edDblP,
    edMadd,
    edMaddP,
    edPadd,
    edPaddP,
    edBaseMul,
    edAdd,
    edLadder,
    copy: (d, s, length) => {
      // A cached view: a new Uint8Array per call cost more than the copy itself.
      if (u8.buffer !== memory.buffer) u8 = new Uint8Array(memory.buffer);
      u8.copyWithin(d, s, s + length);
    },
    writeRaw,
    readRaw,
    writeMont: (d, x) => {
      writeRaw(d, ((x % p) + p) % p);
      mul(d, d, at(SLOT.r2));
    },
    readMont: (s) => {
      const tmp = at(SLOT.scratch + 23);
      mul(tmp, s, at(SLOT.rawOne));
      return readRaw(tmp);
    },
    invFermat: inv,
    invPublic: (d, s) => {
      // s holds xR; (xR)^(−1)·R^3·R^(−1) = x^(−1)·R, the Montgomery form of x^(−1).
      writeRaw(d, modInverse(readRaw(s), p));
      mul(d, d, at(SLOT.r3));
    },
    alloc: (length) => {
      const start = heap;
      heap += Math.ceil(length / 64) * 64;
      const need = Math.ceil(heap / 65536) - memory.buffer.byteLength / 65536;
      if (need > 0) memory.grow(need);
      return start;
    },
    bytes: (s, length) => new Uint8Array(memory.buffer, s, length),
    i32: (s, length) => new Int32Array(memory.buffer, s, length),
  };
  writeRaw(at(SLOT.rawOne), 1n);
  writeRaw(at(SLOT.one), R % p);
  writeRaw(at(SLOT.r2), (R * R) % p);
  writeRaw(at(SLOT.r3), (R * R * R) % p);
  field.writeMont(at(SLOT.a), am);
  return field;
}

