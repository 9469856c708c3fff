/**
 * A small least-recently-used memo keyed by exact bytes, for pure functions of DER input that
 * recur from one signature to the next (the signer's Name, its signing-certificate attribute).
 * Only ever use it for a function whose answer depends on nothing but the bytes.
 */
export interface BytesMemo<T> {
  get(bytes: Uint8Array, compute: () => T): T;
}

/** Keeps at most `limit` answers; the least recently used one goes first. */
export function createBytesMemo<T>(limit: number): BytesMemo<T> {
  const entries = new Map<string, T>();
  return {
    get(bytes, compute) {
      // latin1 maps each byte to one code unit: equal strings iff equal bytes.
      const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      if (entries.has(key)) {
        const hit = entries.get(key) as T;
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const value = compute();
      if (entries.size >= limit) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(key, value);
      return value;
    },
  };
}
