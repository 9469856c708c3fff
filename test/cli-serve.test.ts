/**
 * `edx serve` through the real executable: the same gateway as `npm start` on a free port, seeded
 * on first start or from `edx init`, stopped cleanly by SIGTERM and SIGINT (exit 0); flags win
 * over the environment; bad flags exit 2, a port in use exits 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallDirectory } from './helpers/gateway.ts';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let directoryFile: string;

function cleanEnv(env: Record<string, string>): Record<string, string | undefined> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EDX_') && k !== 'PORT' && k !== 'HOST'));
  return { ...clean, ...env };
}

interface Serving {
  url: string;
  output: () => { stdout: string; stderr: string };
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `bin/edx.js serve ...` and resolves once it prints where it listens (the URL tells the port of --port 0). */
async function serve(args: readonly string[], env: Record<string, string> = {}): Promise<Serving> {
  const proc = spawn(process.execPath, ['bin/edx.js', 'serve', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  const url = await new Promise<string>((res, rej) => {
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^edx-gateway listening on (http:\/\/127\.0\.0\.1:\d+)$/mu.exec(stdout);
      if (m?.[1] !== undefined) res(m[1]);
    });
    void exited.then((e) => rej(new Error(`edx serve exited (${String(e.code)}) before listening:\n${stdout}\n${stderr}`)));
  });
  return {
    url,
    output: () => ({ stdout, stderr }),
    stop: (signal) => {
      proc.kill(signal);
      return exited;
    },
  };
}

async function freePortHeld(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-cli-serve-'));
  directoryFile = join(dir, 'directory.json');
  await writeFile(directoryFile, JSON.stringify(await smallDirectory()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edx serve', () => {
  it('seeds on first start, serves /healthz and the admin API with the seeded token, and stops on SIGTERM with exit 0', async () => {
    const dataDir = join(dir, 'first');
    // PORT and EDX_DATA_DIR in the environment lose to the flags.
    const s = await serve(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { EDX_DIRECTORY_FILE: directoryFile, PORT: '99999', EDX_DATA_DIR: join(dir, 'not-this') });
    try {
      expect(s.output().stdout).toContain('first start: seeded 7 participants');
      expect(s.output().stdout).toContain(`data directory: ${dataDir}\n`);
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const tokens = JSON.parse(await readFile(join(dataDir, 'tokens.json'), 'utf8')) as { roles: string[]; token: string }[];
      const admin = tokens.find((t) => t.roles.includes('admin'));
      expect(admin).toBeDefined();
      const page = await fetch(`${s.url}/api/v1/admin/participants?limit=50`, { headers: { authorization: `Bearer ${admin?.token ?? ''}` } });
      expect(page.status).toBe(200);
      expect(((await page.json()) as { total: number }).total).toBe(7);
    } finally {
      const exit = await s.stop('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
    }
    expect(s.output().stderr).toContain('edx serve: SIGTERM: stopping');
    expect(s.output().stdout).toMatch(/edx-gateway stopped\n$/u);
  });

  it('serves a data directory made by edx init (same tokens) and stops on SIGINT with exit 0', async () => {
    const dataDir = join(dir, 'initialised');
    const init = spawnSync(process.execPath, ['bin/edx.js', 'init', '--data-dir', dataDir, '--directory', directoryFile], { cwd: ROOT, encoding: 'utf8', env: cleanEnv({}) });
    expect(init.status).toBe(0);
    const tokens = JSON.parse(await readFile(join(dataDir, 'tokens.json'), 'utf8')) as { participantId: string; roles: string[]; token: string }[];
    const s = await serve(['--data-dir', dataDir, '--port', '0']);
    try {
      expect(s.output().stdout).not.toContain('first start');
      const own = tokens.find((t) => t.participantId === 'demo-supplier' && t.roles.includes('receive'));
      const inbox = await fetch(`${s.url}/api/v1/inbox`, { headers: { authorization: `Bearer ${own?.token ?? ''}` } });
      expect(inbox.status).toBe(200);
      const nobody = await fetch(`${s.url}/api/v1/inbox`, { headers: { authorization: 'Bearer not-a-token' } });
      expect(nobody.status).toBe(401);
    } finally {
      expect(await s.stop('SIGINT')).toEqual({ code: 0, signal: null });
    }
  });

  it('exits 1 naming the problem when the port is taken, and 2 on a bad flag or configuration', async () => {
    const held = await freePortHeld();
    try {
      const r = spawnSync(process.execPath, ['bin/edx.js', 'serve', '--data-dir', join(dir, 'busy'), '--port', String(held.port)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: cleanEnv({ EDX_DIRECTORY_FILE: directoryFile }),
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('edx serve: SERVE_FAILED:');
      expect(r.stderr).toContain('EADDRINUSE');
    } finally {
      held.server.close();
    }
    const badPort = spawnSync(process.execPath, ['bin/edx.js', 'serve', '--port', '70000'], { cwd: ROOT, encoding: 'utf8', env: cleanEnv({}) });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('edx serve: USAGE: --port');
    const badEnv = spawnSync(process.execPath, ['bin/edx.js', 'serve', '--data-dir', join(dir, 'never')], { cwd: ROOT, encoding: 'utf8', env: cleanEnv({ EDX_REVOCATION: 'sometimes' }) });
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toContain('CONFIG_INVALID: bad configuration: EDX_REVOCATION');
  });
});
