/**
 * The physical-limit server of the submission bench: a trivial loopback HTTP server (a separate
 * process, like the gateway) that only reads each request body to a file, fsyncs it, deletes it
 * and answers 202. It is what any durable gateway has to do at least per letter — receive the
 * bytes over loopback and make them survive a crash (RFC 9110 semantics of 202 aside, nothing
 * else). Usage: `node --import tsx bench/gateway-sink.ts <scratch dir>`; prints `listening <port>`.
 */
import { randomUUID } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: gateway-sink.ts <scratch dir>');

const server = createServer((req, res) => {
  void (async () => {
    const path = join(dir, `${randomUUID()}.bin`);
    const file = await open(path, 'w');
    try {
      for await (const chunk of req) await file.write(chunk as Buffer);
      await file.sync();
    } finally {
      await file.close();
    }
    await unlink(path);
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
  })().catch((error: unknown) => {
    res.writeHead(500).end(String(error));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
