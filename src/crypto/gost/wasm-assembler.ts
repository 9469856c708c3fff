/**
 * A minimal WebAssembly binary emitter (WebAssembly Core Specification 1.0, §5 "Binary
 * Format"): LEB128 integers, the handful of opcodes the GOST field code uses, and a module
 * writer for "one imported memory, N functions, some of them exported". It exists so that
 * field-wasm.ts can generate its fully unrolled arithmetic from TypeScript at run time (no
 * binary blob in the repository, no build step, no dependency), as streebog.ts does.
 */

/** Value types (§5.3.1). */
export const I32 = 0x7f;
export const I64 = 0x7e;
/** 128-bit SIMD vector (fixed-width SIMD proposal, in V8 since Node 16.4). */
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof V128;

/** Unsigned LEB128 (§5.2.2) of a non-negative safe integer. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a BigInt (any width: i32.const and i64.const immediates). */
export function slebBig(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Instruction encoders (§5.4); memory immediates are (align log2, offset). */
export const op = {
  unreachable: 0x00,
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  if: (): number[] => [0x04, 0x40],
  else: 0x05,
  end: 0x0b,
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  return: 0x0f,
  call: (f: number): number[] => [0x10, ...uleb(f)],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i64Load: (offset: number): number[] => [0x29, 3, ...uleb(offset)],
  i64Load32U: (offset: number): number[] => [0x35, 2, ...uleb(offset)],
  i32Load8U: (offset: number): number[] => [0x2d, 0, ...uleb(offset)],
  i32Load: (offset: number): number[] => [0x28, 2, ...uleb(offset)],
  i64Store: (offset: number): number[] => [0x37, 3, ...uleb(offset)],
  i64Store32: (offset: number): number[] => [0x3e, 2, ...uleb(offset)],
  i32Const: (v: number): number[] => [0x41, ...slebBig(BigInt(v))],
  i64Const: (v: bigint): number[] => [0x42, ...slebBig(v)],
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32ShrU: 0x76,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  i64ExtendI32U: 0xad,
  v128Load: (offset: number): number[] => [0xfd, 0x00, 4, ...uleb(offset)],
  v128Store: (offset: number): number[] => [0xfd, 0x0b, 4, ...uleb(offset)],
  v128And: [0xfd, 0x4e] as readonly number[],
  v128Or: [0xfd, 0x50] as readonly number[],
  i64x2Splat: [0xfd, 0x12] as readonly number[],
  /** memory.copy (bulk memory proposal, in every Node ≥ 16): dst, src, length on the stack. */
  memoryCopy: [0xfc, 0x0a, 0x00, 0x00] as readonly number[],
} as const;

export interface WasmFunctionDef {
  /** Exported under this name when given. */
  name?: string;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Locals beyond the parameters, in order. */
  locals: readonly ValType[];
  /** The instructions, without the final `end`. */
  code: readonly number[];
}

function section(id: number, content: readonly number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function nameBytes(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
}

function vec(items: readonly (readonly number[])[]): number[] {
  const out = uleb(items.length);
  for (const item of items) for (const b of item) out.push(b);
  return out;
}

/** Run-length encodes a list of local types (§5.5.13: vec(locals) as (count, type) pairs). */
function localDecls(locals: readonly ValType[]): number[] {
  const groups: number[][] = [];
  let i = 0;
  while (i < locals.length) {
    const t = locals[i] ?? I32;
    let j = i;
    while (j < locals.length && locals[j] === t) j += 1;
    groups.push([...uleb(j - i), t]);
    i = j;
  }
  return vec(groups);
}

/**
 * A module importing its memory as `e.m` (at least `minPages` 64 KiB pages) and defining
 * `functions` in order: function i is called with op.call(i).
 */
export function assembleModule(minPages: number, functions: readonly WasmFunctionDef[]): Uint8Array {
  const typeKeys: string[] = [];
  const types: number[][] = [];
  const typeIndex = functions.map((f) => {
    const key = `${f.params.join(',')}>${f.results.join(',')}`;
    let idx = typeKeys.indexOf(key);
    if (idx < 0) {
      idx = typeKeys.length;
      typeKeys.push(key);
      types.push([0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
    }
    return idx;
  });
  const exports = functions.flatMap((f, i) => (f.name === undefined ? [] : [[...nameBytes(f.name), 0x00, ...uleb(i)]]));
  const bodies = functions.map((f) => {
    const b = [...localDecls(f.locals), ...f.code, op.end];
    return [...uleb(b.length), ...b];
  });
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...nameBytes('e'), ...nameBytes('m'), 0x02, 0x00, ...uleb(minPages)]])),
    ...section(3, vec(typeIndex.map((t) => uleb(t)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ];
  return Uint8Array.from(bytes);
}

/** Minimal typing of the WebAssembly global: tsconfig's lib (ES2023) does not declare it. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compiles and instantiates `bytes` synchronously against a fresh memory of `pages` pages. */
export function instantiate(bytes: Uint8Array, pages: number): { memory: WasmMemory; exports: Record<string, unknown> } {
  const memory = new WA.Memory({ initial: pages });
  const instance = new WA.Instance(new WA.Module(bytes), { e: { m: memory } });
  return { memory, exports: instance.exports };
}
