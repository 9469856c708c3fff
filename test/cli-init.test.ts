/**
 * `edx init` through the real executable: what the first start makes (database, directory,
 * development PKI, tokens), progress on stderr with --progress, a no-op on re-run, flags over
 * the environment, and refusals that create nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallDirectory, SMALL_DIRECTORY_IDS } from './helpers/gateway.ts';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let directoryFile: string;

/** Runs `bin/edx.js` as an operator would: its own process, stdout/stderr pipes (not a terminal), a clean EDX_* environment. */
function edxBin(args: readonly string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EDX_') && k !== 'PORT' && k !== 'HOST'));
  const r = spawnSync(process.execPath, ['bin/edx.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-cli-init-'));
  directoryFile = join(dir, 'directory.json');
  await writeFile(directoryFile, JSON.stringify(await smallDirectory()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edx init', () => {
  it('makes the database, the directory, a PKI that openssl verifies and the tokens, with progress on stderr', async () => {
    const dataDir = join(dir, 'fresh');
    const r = edxBin(['init', '--data-dir', dataDir, '--directory', directoryFile, '--progress']);
    expect(r.stderr).toContain(`issuing certificates ${SMALL_DIRECTORY_IDS.length}/${SMALL_DIRECTORY_IDS.length} (100%)\n`);
    expect(r.stderr).toMatch(/^issuing certificates 1\/7 \(14%\)$/mu);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`initialised ${dataDir}\n`);
    expect(r.stdout).toContain(`participants:    7 from ${directoryFile} (operator gov-government)`);
    expect(r.stdout).toContain(`tokens:          ${join(dataDir, 'tokens.json')}`);

    // The database holds the seven participants, and its journal chain holds.
    const db = new Database(join(dataDir, 'edx.sqlite'), { readonly: true });
    try {
      const ids = (db.prepare('SELECT id FROM participants ORDER BY id').all() as { id: string }[]).map((p) => p.id);
      expect(ids).toEqual([...SMALL_DIRECTORY_IDS].sort());
    } finally {
      db.close();
    }
    const audit = edxBin(['audit', 'verify', '--data-dir', dataDir]);
    expect(audit.code).toBe(0);

    // openssl, independently: each participant certificate chains to the development root.
    const pki = join(dataDir, 'pki');
    for (const id of SMALL_DIRECTORY_IDS) {
      const v = spawnSync('openssl', ['verify', '-CAfile', join(pki, 'root.pem'), join(pki, `${id}.cert.pem`)], { encoding: 'utf8' });
      expect(v.stdout.trim()).toBe(`${join(pki, `${id}.cert.pem`)}: OK`);
    }
    // Tokens: private to the owner, one admin token and one per participant.
    const tokensPath = join(dataDir, 'tokens.json');
    expect(statSync(tokensPath).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(await readFile(tokensPath, 'utf8')) as { participantId: string; roles: string[] }[];
    expect(tokens.filter((t) => t.roles.includes('admin')).map((t) => t.participantId)).toEqual(['gov-government']);
    expect(tokens.length).toBe(SMALL_DIRECTORY_IDS.length + 1);
  });

  it('is a no-op on an initialised data directory: says so, exits 0, keeps the PKI and the tokens', async () => {
    const dataDir = join(dir, 'twice');
    expect(edxBin(['init', '--data-dir', dataDir, '--directory', directoryFile]).code).toBe(0);
    const root = await readFile(join(dataDir, 'pki', 'root.pem'));
    const tokens = await readFile(join(dataDir, 'tokens.json'));
    const again = edxBin(['init', '--data-dir', dataDir, '--directory', directoryFile, '--algorithm', 'gost2012-256']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`already initialised: ${dataDir} has 7 participants; nothing changed\ndevelopment tokens: ${join(dataDir, 'tokens.json')}\n`);
    expect(await readFile(join(dataDir, 'pki', 'root.pem'))).toEqual(root);
    expect(await readFile(join(dataDir, 'tokens.json'))).toEqual(tokens);
  });

  it('shows no progress into a pipe unless asked; takes EDX_* from the environment, and flags win over it', async () => {
    const fromEnv = join(dir, 'from-env');
    const fromFlag = join(dir, 'from-flag');
    const r = edxBin(['init', '--data-dir', fromFlag], { EDX_DATA_DIR: fromEnv, EDX_DIRECTORY_FILE: directoryFile, EDX_PKI_ALGORITHM: 'ecdsa-p384' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(existsSync(fromEnv)).toBe(false);
    expect(r.stdout).toContain(`initialised ${fromFlag}\n`);
    // The directory and the algorithm came from the environment.
    expect(r.stdout).toContain(`participants:    7 from ${directoryFile}`);
    const text = spawnSync('openssl', ['x509', '-in', join(fromFlag, 'pki', 'root.pem'), '-noout', '-text'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('NIST CURVE: P-384');
  });

  it('refuses bad arguments and an invalid directory file with exit 2, creating nothing', async () => {
    const dataDir = join(dir, 'refused');
    const badAlgorithm = edxBin(['init', '--data-dir', dataDir, '--algorithm', 'rsa-512']);
    expect(badAlgorithm.code).toBe(2);
    expect(badAlgorithm.stderr).toContain('edx init: USAGE: --algorithm');
    const badFile = join(dir, 'bad-directory.json');
    const fixture = await smallDirectory();
    // A participant whose parent is not in the directory.
    await writeFile(badFile, JSON.stringify({ ...fixture, participants: fixture.participants.map((p, i) => (i === 1 ? { ...p, parentId: 'nobody' } : p)) }));
    const badDirectory = edxBin(['init', '--data-dir', dataDir, '--directory', badFile]);
    expect(badDirectory.code).toBe(2);
    expect(badDirectory.stderr).toContain('DIRECTORY_FIXTURE_INVALID');
    expect(badDirectory.stderr).toContain('parent nobody does not exist');
    const missing = edxBin(['init', '--data-dir', dataDir, '--directory', join(dir, 'no-such.json')]);
    expect(missing.code).toBe(2);
    expect(existsSync(dataDir)).toBe(false);
  });
});
