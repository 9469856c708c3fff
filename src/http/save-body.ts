import { createWriteStream } from 'node:fs';
import { AppError } from './app-error.ts';

/** Streams a request body to disk, refusing it as soon as it passes `limit` bytes. */
export async function saveLimited(body: ReadableStream<Uint8Array>, path: string, limit: number): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > limit) throw new AppError('PAYLOAD_TOO_LARGE', `the limit is ${limit} bytes`);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  return total;
}
