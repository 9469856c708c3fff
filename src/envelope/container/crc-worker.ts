/**
 * CRC-32 (ISO-HDLC, the ZIP checksum, APPNOTE §4.4.7) of large entries on a second thread, so that
 * the main thread hashes (SHA-256, Streebog) while the other core runs the CRC: packing a 10 MB
 * letter otherwise spends about a third of its main-thread time on zlib's crc32 after the digest.
 *
 * The worker reads the caller's chunks in place from SharedArrayBuffers (nothing is copied) and
 * keeps one running CRC per stream, in the order the chunks were sent. A chunk's buffer may be
 * reused once `update` has resolved. One worker serves the process; it is started on first use,
 * keeps the process alive only while a reply is awaited, and is restarted after a failure, which fails only the streams
 * that were in flight (their entries cannot be finished: the caller aborts its container).
 */
import { Worker } from 'node:worker_threads';

// Plain CommonJS for an `eval` worker: no loader, no TypeScript, only node:zlib.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { crc32 } = require('node:zlib');
const running = new Map();
parentPort.on('message', (m) => {
  if (m.end === true) {
    parentPort.postMessage({ stream: m.stream, seq: m.seq, crc: (running.get(m.stream) ?? 0) >>> 0 });
    running.delete(m.stream);
    return;
  }
  // Node 20's crc32 answers 0, not the running value, for an empty view of shared memory.
  const crc = m.length === 0 ? running.get(m.stream) ?? 0 : crc32(new Uint8Array(m.buffer, m.offset, m.length), running.get(m.stream) ?? 0);
  running.set(m.stream, crc);
  parentPort.postMessage({ stream: m.stream, seq: m.seq, crc: crc >>> 0 });
});
`;

interface Reply {
  stream: number;
  seq: number;
  crc: number;
}

interface Waiting {
  resolve: (crc: number) => void;
  reject: (error: Error) => void;
}

interface Shared {
  worker: Worker;
  /** `${stream}:${seq}` → who waits for that chunk's reply. */
  waiting: Map<string, Waiting>;
}

let shared: Shared | undefined;
let nextStream = 1;

function start(): Shared {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const state: Shared = { worker, waiting: new Map() };
  const failAll = (error: Error): void => {
    if (shared === state) shared = undefined;
    for (const w of state.waiting.values()) w.reject(error);
    state.waiting.clear();
  };
  worker.on('message', (reply: Reply) => {
    const key = `${reply.stream}:${reply.seq}`;
    const w = state.waiting.get(key);
    state.waiting.delete(key);
    if (state.waiting.size === 0) worker.unref();
    w?.resolve(reply.crc);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the CRC-32 worker stopped (exit code ${code})`)));
  // Referenced only while a reply is awaited: an idle worker must not keep the process alive, a
  // busy one must (the caller's await is all that is left on the event loop). After the
  // listeners, whose registration refs the worker.
  worker.unref();
  return state;
}

/** A running CRC-32 over chunks sent one after another. */
export interface CrcStream {
  /** Adds `bytes` (a view of a SharedArrayBuffer); resolves when the worker is done with them. */
  update(bytes: Uint8Array): Promise<void>;
  /** The CRC-32 of everything added. The stream cannot be used afterwards. */
  finish(): Promise<number>;
}

/** Opens a CRC-32 stream on the shared worker. */
export function openCrcStream(): CrcStream {
  const stream = nextStream++;
  let seq = 0;
  // The worker that holds this stream's running CRC: if it fails, a new one would start from 0.
  let bound: Shared | undefined;
  const send = (message: { stream: number; seq: number; end?: true; buffer?: SharedArrayBuffer; offset?: number; length?: number }): Promise<number> => {
    if (bound === undefined) {
      shared ??= start();
      bound = shared;
    }
    const state = bound;
    if (state !== shared) return Promise.reject(new Error('the CRC-32 worker of this stream has stopped'));
    return new Promise<number>((resolve, reject) => {
      if (state.waiting.size === 0) state.worker.ref();
      state.waiting.set(`${message.stream}:${message.seq}`, { resolve, reject });
      try {
        state.worker.postMessage(message);
      } catch (error) {
        state.waiting.delete(`${message.stream}:${message.seq}`);
        if (state.waiting.size === 0) state.worker.unref();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };
  return {
    update(bytes) {
      if (!(bytes.buffer instanceof SharedArrayBuffer)) throw new TypeError('openCrcStream: chunks must live in a SharedArrayBuffer');
      return send({ stream, seq: seq++, buffer: bytes.buffer, offset: bytes.byteOffset, length: bytes.byteLength }).then(() => undefined);
    },
    finish() {
      return send({ stream, seq: seq++, end: true });
    },
  };
}

/** Stops the shared worker (streams in flight fail); the next stream starts a new one. For tests and shutdown. */
export async function stopCrcWorker(): Promise<void> {
  const state = shared;
  shared = undefined;
  if (state !== undefined) await state.worker.terminate();
}
