import { describe, expect, it } from 'vitest';
import { createBytesMemo } from './bytes-memo.ts';

describe('createBytesMemo', () => {
  it('computes once per distinct bytes, whatever buffer holds them', () => {
    const memo = createBytesMemo<number>(4);
    let calls = 0;
    const compute = (): number => ++calls;
    const backing = Buffer.from([9, 1, 2, 3, 9]);
    expect(memo.get(Buffer.from([1, 2, 3]), compute)).toBe(1);
    expect(memo.get(backing.subarray(1, 4), compute)).toBe(1);
    expect(memo.get(new Uint8Array([1, 2, 3]), compute)).toBe(1);
    expect(memo.get(Buffer.from([1, 2]), compute)).toBe(2);
    expect(memo.get(Buffer.from([1, 2, 3, 0]), compute)).toBe(3);
    expect(calls).toBe(3);
  });

  it('forgets the least recently used entry beyond its limit', () => {
    const memo = createBytesMemo<string>(2);
    const seen: string[] = [];
    const get = (b: number): string => memo.get(Buffer.from([b]), () => {
      seen.push(String(b));
      return String(b);
    });
    get(1);
    get(2);
    get(1); // 1 is now the most recent
    get(3); // evicts 2
    get(1);
    get(2);
    expect(seen).toEqual(['1', '2', '3', '2']);
  });
});
