import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AppError } from './app-error.ts';

export interface UploadedPart {
  field: string;
  filename: string;
  mediaType: string;
  path: string;
  size: number;
}

export interface MultipartResult {
  fields: Map<string, string>;
  files: UploadedPart[];
}

export interface MultipartLimits {
  maxTotalBytes: number;
  maxFiles: number;
  maxFieldBytes: number;
}

/**
 * Streams a multipart/form-data body to disk (busboy): files go to `dir` as they arrive, never
 * whole into memory; the total size, part count and field sizes are bounded and exceeding any
 * is a 413/400 with nothing kept (the caller removes `dir`).
 */
export async function parseMultipart(body: ReadableStream<Uint8Array>, headers: Record<string, string>, dir: string, limits: MultipartLimits): Promise<MultipartResult> {
  const fields = new Map<string, string>();
  const files: UploadedPart[] = [];
  let total = 0;
  let failure: AppError | undefined;
  const writes: Promise<void>[] = [];
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers,
      limits: { files: limits.maxFiles, fields: 20, fieldSize: limits.maxFieldBytes, parts: limits.maxFiles + 20, fileSize: limits.maxTotalBytes },
      defParamCharset: 'utf8',
    });
  } catch (error) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `expected multipart/form-data: ${error instanceof Error ? error.message : String(error)}`);
  }
  const done = new Promise<void>((resolve, reject) => {
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) failure ??= new AppError('PAYLOAD_TOO_LARGE', `field ${name} is larger than ${limits.maxFieldBytes} bytes`);
      else if (fields.has(name)) failure ??= new AppError('BAD_REQUEST', `field ${name} appears twice`);
      else fields.set(name, value);
    });
    bb.on('file', (field, stream, info) => {
      if (failure !== undefined) {
        stream.resume();
        return;
      }
      const index = files.length;
      const path = join(dir, `part-${index}`);
      const part: UploadedPart = { field, filename: (info.filename ?? '').normalize('NFC'), mediaType: info.mimeType, path, size: 0 };
      files.push(part);
      stream.on('data', (chunk: Buffer) => {
        part.size += chunk.length;
        total += chunk.length;
        if (total > limits.maxTotalBytes && failure === undefined) {
          failure = new AppError('PAYLOAD_TOO_LARGE', `the upload is larger than ${limits.maxTotalBytes} bytes`);
        }
      });
      stream.on('limit', () => {
        failure ??= new AppError('PAYLOAD_TOO_LARGE', `the upload is larger than ${limits.maxTotalBytes} bytes`);
      });
      writes.push(pipeline(stream, createWriteStream(path, { flags: 'wx' })));
    });
    bb.on('filesLimit', () => {
      failure ??= new AppError('PAYLOAD_TOO_LARGE', `at most ${limits.maxFiles} files per request`);
    });
    bb.on('fieldsLimit', () => {
      failure ??= new AppError('BAD_REQUEST', 'too many fields');
    });
    bb.on('partsLimit', () => {
      failure ??= new AppError('PAYLOAD_TOO_LARGE', 'too many parts');
    });
    bb.on('error', (error: unknown) => reject(new AppError('BAD_REQUEST', `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`)));
    bb.on('close', () => resolve());
  });
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  source.on('error', () => undefined);
  source.pipe(bb);
  await done;
  await Promise.all(writes);
  if (failure !== undefined) throw failure;
  return { fields, files };
}
