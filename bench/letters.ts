/**
 * Pack/verify throughput of letters next to the physical limit measured in the same process:
 * reading the file, SHA-256 over it and one signature with the same key (pack) or one
 * verification (verify). Also the peak RSS of packing and verifying a 1 GiB attachment.
 */
import { createHash, createPublicKey, randomBytes, randomUUID, sign, verify, X509Certificate } from 'node:crypto';
import { closeSync, createReadStream, fdatasync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DEFAULT_DEV_PARTICIPANTS_FILE, DEFAULT_VALIDATION_POLICY, initDevPki, loadDevParticipants, loadPrivateKeyPem, pemToDerList } from '../src/crypto/index.ts';
import { packLetter, verifyContainer, type SigningIdentity } from '../src/letters/index.ts';

export interface BenchRow {
  name: string;
  ours: string;
  limit: string;
  ratio: number;
  target?: string;
}

async function sha256File(path: string): Promise<Buffer> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest();
}

async function timeLoop(minMs: number, minIterations: number, fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (n < minIterations || elapsed < minMs) {
    await fn();
    n += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return elapsed / n; // ms per iteration
}

/**
 * Times the functions in alternating slices, so that a change of machine load (other processes)
 * during the run weighs on all alike instead of on whichever ran at that moment. Each gets about
 * `minMs` in total; returns ms per iteration of each, in order.
 */
async function timeSlices(minMs: number, minIterations: number, fns: readonly (() => Promise<void>)[]): Promise<number[]> {
  const slices = 6;
  const totals = fns.map(() => 0);
  for (let i = 0; i < slices; i++) {
    const perSliceIterations = Math.max(1, Math.ceil(minIterations / slices));
    for (const [k, fn] of fns.entries()) totals[k] = (totals[k] ?? 0) + (await timeLoop(minMs / slices, perSliceIterations, fn)) / slices;
  }
  return totals;
}

async function timePair(minMs: number, minIterations: number, ours: () => Promise<void>, limit: () => Promise<void>): Promise<{ ours: number; limit: number }> {
  const [o = Number.NaN, l = Number.NaN] = await timeSlices(minMs, minIterations, [ours, limit]);
  return { ours: o, limit: l };
}

export async function benchLetters(options: { quick: boolean }): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-bench-'));
  const rows: BenchRow[] = [];
  try {
    const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
    if (!participants.ok) throw new Error(participants.error.message);
    const [from, to] = participants.value;
    if (from === undefined || to === undefined) throw new Error('demo participants missing');
    const pki = await initDevPki({ dir: join(dir, 'pki'), participants: participants.value, now: new Date() });
    const keyResult = loadPrivateKeyPem(await readFile(join(pki.dir, `${from.id}.key.pem`)));
    if (!keyResult.ok) throw new Error(keyResult.error.message);
    const [certificate] = pemToDerList(await readFile(join(pki.dir, `${from.id}.cert.pem`)));
    const [root] = pemToDerList(await readFile(pki.rootCertPath));
    if (certificate === undefined || root === undefined) throw new Error('pki unreadable');
    const signer: SigningIdentity = { privateKey: keyResult.value, certificate, chain: [] };
    const publicKey = createPublicKey(new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'pem' }));

    for (const [label, size, target] of [['100 KB', 100 * 1024, 0.3], ['10 MB', 10 * 1024 * 1024, 0.5]] as const) {
      const file = join(dir, `letter-${size}.pdf`);
      await writeFile(file, randomBytes(size));
      const minMs = options.quick ? 300 : 1500;
      // Every letter goes to a new file, as `edx pack -o` and the gateway's blob store write them:
      // replacing one file over and over would time ext4's flush-on-rename-over-an-existing-file
      // (auto_da_alloc), which no real run pays. The outputs are removed between rows, untimed.
      const outputs = join(dir, `out-${size}`);
      let written = 0;
      const pack = async (durable = true): Promise<void> => {
        const r = await packLetter({
          durable,
          outputPath: join(outputs, `letter-${written++}.zip`),
          messageId: randomUUID(),
          now: new Date(),
          sender: { id: from.id, name: from.name, inn: from.inn, ogrn: from.ogrn },
          recipient: { id: to.id, name: to.name, inn: to.inn, ogrn: to.ogrn },
          document: { kind: 'letter', regNumber: '1', regDate: '2026-11-25', subject: 'bench', signatory: { name: 'A', position: 'B' } },
          files: [{ sourcePath: file }],
          signer,
        });
        if (!r.ok) throw new Error(r.error.message);
      };
      const rawPack = async (): Promise<void> => {
        const digest = await sha256File(file);
        sign('sha256', digest, signer.privateKey);
      };
      // A durable pack can be neither faster than the crypto limit nor than writing its bytes
      // durably: once to a new file, made durable the way any atomic file creation must be (fsync
      // the file, rename it into place, fsync the directory). The write goes out in 1 MiB pieces
      // with an fdatasync in the background after every 2 MiB, so the disk works while the rest is
      // written (one fsync at the end of a 10 MB write measured 2-3x slower here). Its limit is the
      // slower of the two, each measured in the same run.
      const limitOutputs = join(dir, `limit-${size}`);
      let limitWritten = 0;
      const outputBytes = randomBytes(size + 4096);
      const datasync = (fd: number): Promise<void> => new Promise((done, fail) => fdatasync(fd, (e) => (e === null ? done() : fail(e))));
      const durableWrite = async (): Promise<void> => {
        const target = join(limitOutputs, `w-${limitWritten++}`);
        const fd = openSync(`${target}.tmp`, 'wx');
        let background: Promise<void> = Promise.resolve();
        let sinceSync = 0;
        for (let at = 0; at < outputBytes.length; ) {
          const n = writeSync(fd, outputBytes, at, Math.min(1024 * 1024, outputBytes.length - at));
          at += n;
          sinceSync += n;
          if (sinceSync >= 2 * 1024 * 1024) {
            await background;
            background = datasync(fd);
            sinceSync = 0;
          }
        }
        await background;
        fsyncSync(fd);
        closeSync(fd);
        renameSync(`${target}.tmp`, target);
        const d = openSync(limitOutputs, 'r');
        fsyncSync(d);
        closeSync(d);
      };
      // Between rows, untimed: the outputs go, and `sync` writes back what earlier rows left dirty
      // in the page cache, so each row starts from the same idle disk instead of paying for the last.
      const clearOutputs = async (): Promise<void> => {
        for (const d of [outputs, limitOutputs]) {
          await rm(d, { recursive: true, force: true });
          await mkdir(d);
        }
        spawnSync('sync');
      };
      const mb = size / (1024 * 1024);
      const throughput = (ms: number): string => `${(1000 / ms).toFixed(1)} letters/s, ${((mb * 1000) / ms).toFixed(1)} MB/s`;

      // How the gateway packs: scratch output, which its blob store then makes durable with one fsync.
      await clearOutputs();
      const { ours: packMs, limit: rawPackMs } = await timePair(minMs, 5, () => pack(false), rawPack);
      rows.push({
        name: `pack ${label} letter`,
        ours: throughput(packMs),
        limit: `${(1000 / rawPackMs).toFixed(1)} /s, ${((mb * 1000) / rawPackMs).toFixed(1)} MB/s (read + SHA-256 + 1 signature)`,
        ratio: rawPackMs / packMs,
        target: `>= ${target}`,
      });
      // `edx pack -o` and packLetter's default: durable output. A durable file creation is a
      // physical cost the bare crypto limit does not have, so its limit has the same write.
      await clearOutputs();
      const [durableMs = Number.NaN, bareMs = Number.NaN, writeMs = Number.NaN] = await timeSlices(minMs, 5, [() => pack(true), rawPack, durableWrite]);
      const floorMs = Math.max(bareMs, writeMs);
      rows.push({
        name: `pack ${label} letter, durable output`,
        ours: throughput(durableMs),
        limit: `${(1000 / floorMs).toFixed(1)} /s: slower of crypto ${(1000 / bareMs).toFixed(1)} /s, durable write ${(1000 / writeMs).toFixed(1)} /s`,
        ratio: floorMs / durableMs,
        target: `>= ${target}`,
      });
      await clearOutputs();
      const out = join(outputs, 'verified.zip');
      written = 0;
      await pack();
      await rename(join(outputs, 'letter-0.zip'), out);

      const sig = sign('sha256', Buffer.alloc(32, 1), signer.privateKey);
      const verifyOnce = async (): Promise<void> => {
        const r = await verifyContainer({ containerPath: out, trustAnchors: [{ certificate: root, qualified: true }], policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' }, now: new Date() });
        if (!r.ok || !r.value.passed) throw new Error('bench container did not verify');
      };
      const rawVerify = async (): Promise<void> => {
        await sha256File(file);
        verify('sha256', Buffer.alloc(32, 1), publicKey, sig);
      };
      const { ours: verifyMs, limit: rawVerifyMs } = await timePair(minMs, 5, verifyOnce, rawVerify);
      rows.push({
        name: `verify ${label} letter`,
        ours: `${(1000 / verifyMs).toFixed(1)} letters/s, ${((mb * 1000) / verifyMs).toFixed(1)} MB/s`,
        limit: `${(1000 / rawVerifyMs).toFixed(1)} /s, ${((mb * 1000) / rawVerifyMs).toFixed(1)} MB/s (read + SHA-256 + 1 verification)`,
        ratio: rawVerifyMs / verifyMs,
        target: `>= ${target}`,
      });
    }

    // Peak memory: a child process packs and verifies a 1 GiB attachment.
    const big = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'big-attachment.ts'), dir, pki.dir, from.id, to.id, options.quick ? '256' : '1024'], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    });
    if (big.status !== 0) throw new Error(`big attachment run failed: ${big.stderr}`);
    const m = JSON.parse(big.stdout.trim().split('\n').pop() ?? '{}') as { sizeMiB: number; maxRssMiB: number; packMBs: number; verifyMBs: number };
    rows.push({
      name: `${m.sizeMiB} MiB attachment: peak RSS (pack + verify)`,
      ours: `${m.maxRssMiB.toFixed(0)} MiB (pack ${m.packMBs.toFixed(0)} MB/s, verify ${m.verifyMBs.toFixed(0)} MB/s)`,
      limit: '256 MiB budget',
      ratio: 256 / m.maxRssMiB,
      target: '>= 1 (under 256 MiB)',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
