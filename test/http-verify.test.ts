/** The HTTP surface that exists so far: health, readiness and container verification. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_PARTICIPANTS_FILE, loadDevParticipants, pemToDerList, type TrustAnchor } from '../src/crypto/index.ts';
import { createApp } from '../src/http/create-app.ts';
import { edx } from './helpers/cli.ts';
import { flipByte, rewriteContainer } from './helpers/containers.ts';

const NOW = new Date('2026-11-25T11:00:00Z');
let dir: string;
let anchors: TrustAnchor[];
let container: Buffer;
let tampered: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-http-'));
  const pki = join(dir, 'pki');
  expect((await edx(['pki', 'init', '--dir', pki], NOW)).code).toBe(0);
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [a, b] = participants.value;
  if (a === undefined || b === undefined) throw new Error('need two participants');
  const file = join(dir, 'letter.pdf');
  await writeFile(file, randomBytes(5000));
  const out = join(dir, 'letter.zip');
  const run = await edx(['pack', '--from', a.id, '--to', b.id, '--kind', 'letter', '--reg-number', '1', '--reg-date', '2026-11-25', '--subject', 'S',
    '--signatory-name', 'N', '--signatory-position', 'P', '--file', file, '--key', join(pki, `${a.id}.key.pem`), '--cert', join(pki, `${a.id}.cert.pem`), '-o', out], NOW);
  expect(run.code, run.stderr).toBe(0);
  container = await readFile(out);
  const bad = join(dir, 'bad.zip');
  await rewriteContainer(out, bad, (e) => e.set('files/letter.pdf', flipByte(e.get('files/letter.pdf') ?? Buffer.alloc(1), 0)));
  tampered = await readFile(bad);
  anchors = pemToDerList(await readFile(join(pki, 'root.pem'))).map((certificate) => ({ certificate, qualified: true }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function app(maxUploadBytes = 10 * 1024 * 1024) {
  return createApp({ trustAnchors: () => anchors, revocation: 'skip', maxUploadBytes, now: () => NOW });
}

describe('POST /api/v1/verify', () => {
  it('answers the report for a good container', async () => {
    const res = await app().request('/api/v1/verify', { method: 'POST', headers: { 'content-type': 'application/zip' }, body: container });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { passed: boolean; signatures: unknown[] };
    expect(body.passed).toBe(true);
    expect(body.signatures).toHaveLength(2);
  });

  it('reports a tampered container as not passed', async () => {
    const res = await app().request('/api/v1/verify', { method: 'POST', headers: { 'content-type': 'application/zip' }, body: tampered });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { passed: boolean }).passed).toBe(false);
  });

  it('refuses bad input with one JSON error shape', async () => {
    const cases: [RequestInit, number, string][] = [
      [{ method: 'POST', headers: { 'content-type': 'application/zip' }, body: randomBytes(100) }, 422, 'CONTAINER_UNREADABLE'],
      [{ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [init, status, code] of cases) {
      const res = await app().request('/api/v1/verify', init);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { code: string; message: string; requestId: string };
      expect(body.code).toBe(code);
      expect(body.message.length).toBeGreaterThan(0);
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/u);
    }
    const small = await app(1000).request('/api/v1/verify', { method: 'POST', headers: { 'content-type': 'application/zip' }, body: container });
    expect(small.status).toBe(413);
    expect(((await small.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves health and readiness, and 404 in the same error shape', async () => {
    expect((await app().request('/healthz')).status).toBe(200);
    expect((await app().request('/readyz')).status).toBe(200);
    const notReady = createApp({ trustAnchors: () => [], revocation: 'skip', maxUploadBytes: 1, now: () => NOW });
    expect((await notReady.request('/readyz')).status).toBe(503);
    const res = await app().request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
  });
});
