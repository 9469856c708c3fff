/**
 * GOST throughput next to OpenSSL's GOST engine (libengine-gost-openssl) timed in the same run:
 * Streebog-256 MB/s, and GOST R 34.10-2012 sign/s and verify/s for 256- and 512-bit keys.
 *
 * How the engine is timed. `openssl dgst` hashes a file: its time minus the time of the same
 * command on an empty file (process start, engine load) is the hashing time. `openssl speed`
 * has no GOST signatures and `openssl dgst -sign` takes one file per process, so signatures
 * are timed with `openssl cms -sign -noattr` carrying N signer infos made with the same key
 * (N signatures in one process) against the same command with 1 signer, and `openssl cms
 * -verify` of an M-signer message (M verifications; M > N because the engine verifies about
 * ten times faster than it signs) against the 1-signer one:
 * (t_N − t_1) / (N − 1) per operation. That per-operation cost still includes OpenSSL loading
 * the key and certificate for each -signer and a little CMS encoding, so the engine's rate is
 * slightly understated (the ratio slightly flattering); each figure is the best of 3 runs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateGostKeyPair, gostPrivateKeyToPkcs8Der, gostSign, gostVerify, streebog, type GostParamSetName } from '../src/crypto/gost/index.ts';
import type { BenchRow } from './letters.ts';

function runOpenssl(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync('openssl', [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`openssl ${args.slice(0, 3).join(' ')} failed: ${result.stderr.toString()}`);
  return ms;
}

function bestOf(runs: number, fn: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) best = Math.min(best, fn());
  return best;
}

/** Milliseconds per call of fn, looping for at least minMs. */
function timeLoop(minMs: number, fn: () => void): number {
  fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs || n < 3) {
    fn();
    n += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return elapsed / n;
}

const fmt = (n: number, unit: string): string => `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${unit}`;

export async function benchGost(options: { quick: boolean }): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-bench-gost-'));
  const rows: BenchRow[] = [];
  try {
    // Streebog-256.
    const mib = options.quick ? 16 : 128;
    const data = randomBytes(mib * 1024 * 1024);
    await writeFile(join(dir, 'data.bin'), data);
    await writeFile(join(dir, 'empty.bin'), Buffer.alloc(0));
    const oursMs = bestOf(3, () => {
      const start = process.hrtime.bigint();
      streebog(256, data);
      return Number(process.hrtime.bigint() - start) / 1e6;
    });
    const dgst = (file: string): number => runOpenssl(['dgst', '-engine', 'gost', '-md_gost12_256', join(dir, file)]);
    const startupMs = bestOf(3, () => dgst('empty.bin'));
    const engineMs = Math.max(1, bestOf(3, () => dgst('data.bin')) - startupMs);
    const oursMBs = mib / (oursMs / 1000);
    const engineMBs = mib / (engineMs / 1000);
    rows.push({
      name: `Streebog-256, ${mib} MiB`,
      ours: fmt(oursMBs, 'MiB/s'),
      limit: `openssl dgst -engine gost: ${fmt(engineMBs, 'MiB/s')}`,
      ratio: oursMBs / engineMBs,
      target: '>= 0.5',
    });

    // Signatures.
    const n = options.quick ? 40 : 200;
    // Verification is ~10× cheaper than signing in the engine: more signer infos to rise above process noise.
    const nVerify = options.quick ? 400 : 2000;
    const loopMs = options.quick ? 300 : 1500;
    const sets: ReadonlyArray<readonly [GostParamSetName, 256 | 512]> = [
      ['tc26-256-A', 256],
      ['tc26-512-A', 512],
    ];
    for (const [setName, bits] of sets) {
      const pair = generateGostKeyPair(setName);
      if (!pair.ok) throw new Error(pair.error.message);
      const { privateKey, publicKey } = pair.value;
      const digest = streebog(bits, Buffer.from('bench'));
      const signed = gostSign({ digest, privateKey });
      if (!signed.ok) throw new Error(signed.error.message);
      const signature = signed.value;
      const signMs = timeLoop(loopMs, () => {
        gostSign({ digest, privateKey });
      });
      const verifyMs = timeLoop(loopMs, () => {
        if (!gostVerify({ digest, signature, publicKey })) throw new Error('bench signature did not verify');
      });

      const key = join(dir, `${setName}.key`);
      const cert = join(dir, `${setName}.crt`);
      const content = join(dir, 'content.txt');
      await writeFile(key, gostPrivateKeyToPkcs8Der(privateKey));
      await writeFile(content, 'bench');
      runOpenssl(['req', '-engine', 'gost', '-x509', '-new', '-keyform', 'DER', '-key', key, '-subj', '/CN=bench', '-days', '1', '-out', cert, `-md_gost12_${bits}`]);
      const signArgs = (count: number, out: string): string[] => {
        const signers: string[] = [];
        for (let i = 0; i < count; i += 1) signers.push('-signer', cert, '-inkey', key, '-keyform', 'DER');
        return ['cms', '-engine', 'gost', '-sign', '-binary', '-noattr', '-nocerts', '-md', `md_gost12_${bits}`, '-in', content, '-outform', 'DER', '-out', out, ...signers];
      };
      const one = join(dir, `${setName}-1.p7s`);
      const many = join(dir, `${setName}-n.p7s`);
      const engineSignMs = Math.max(1e-3, (bestOf(3, () => runOpenssl(signArgs(n, many))) - bestOf(3, () => runOpenssl(signArgs(1, one)))) / (n - 1));
      const verifyArgs = (file: string): string[] => ['cms', '-engine', 'gost', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', file, '-content', content, '-certfile', cert, '-out', join(dir, 'verified.out')];
      const manyVerify = join(dir, `${setName}-v.p7s`);
      runOpenssl(signArgs(nVerify, manyVerify));
      const engineVerifyMs = Math.max(1e-3, (bestOf(3, () => runOpenssl(verifyArgs(manyVerify))) - bestOf(3, () => runOpenssl(verifyArgs(one)))) / (nVerify - 1));

      rows.push({
        name: `GOST ${bits} sign (${setName})`,
        ours: fmt(1000 / signMs, 'sign/s'),
        limit: `openssl cms -engine gost, ${n} signers: ${fmt(1000 / engineSignMs, 'sign/s')}`,
        ratio: engineSignMs / signMs,
        target: '>= 0.5',
      });
      rows.push({
        name: `GOST ${bits} verify (${setName})`,
        ours: fmt(1000 / verifyMs, 'verify/s'),
        limit: `openssl cms -engine gost -verify, ${nVerify} signers: ${fmt(1000 / engineVerifyMs, 'verify/s')}`,
        ratio: engineVerifyMs / verifyMs,
        target: '>= 0.5',
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
