/**
 * Crash safety (issue 3): SIGKILL the real server in the middle of a stream of submissions, start
 * it again on the same data directory, and prove that every submission that got a 202 is there,
 * intact, and that retrying the others with their Idempotency-Keys duplicates nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, verifyJournal } from '../src/db/index.ts';
import type { DevToken } from '../src/directory/index.ts';
import { smallDirectory } from './helpers/gateway.ts';
import { startServer, type ServerProcess } from './helpers/server.ts';

const TOTAL = 48;
const KILL_AFTER = 12;
const CONCURRENCY = 4;
let dir: string;
let env: Record<string, string>;
let server: ServerProcess;
let tokens: Map<string, string>;

function form(i: number): FormData {
  const f = new FormData();
  f.set('metadata', JSON.stringify({ to: ['gov-minprom'], document: { kind: 'letter', regNumber: `CRASH-${i}`, regDate: '2026-11-25', subject: `Письмо ${i}`, signatory: { name: 'Иванов И. И.', position: 'Директор' } } }));
  f.append('files', new Blob([Buffer.from(`%PDF-1.7 letter ${i}\n`.repeat(2000))], { type: 'application/pdf' }), `letter-${i}.pdf`);
  return f;
}

async function submit(url: string, i: number): Promise<{ status: number; id?: string }> {
  const res = await fetch(`${url}/api/v1/messages`, { method: 'POST', body: form(i), headers: { authorization: `Bearer ${tokens.get('demo-refinery') ?? ''}`, 'idempotency-key': `crash-${i}` } });
  const body = (await res.json()) as { messages?: { id: string }[] };
  return { status: res.status, ...(body.messages?.[0] === undefined ? {} : { id: body.messages[0].id }) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-crash-'));
  const directoryFile = join(dir, 'directory.json');
  await writeFile(directoryFile, JSON.stringify(await smallDirectory()));
  env = { EDX_DATA_DIR: join(dir, 'data'), EDX_DIRECTORY_FILE: directoryFile };
  server = await startServer(env);
  const list = JSON.parse(await readFile(join(dir, 'data', 'tokens.json'), 'utf8')) as DevToken[];
  tokens = new Map(list.filter((t) => !t.roles.includes('admin')).map((t) => [t.participantId, t.token]));
});

afterAll(async () => {
  await server.stop('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('SIGKILL in the middle of submissions', () => {
  it('loses no acknowledged message and duplicates none', async () => {
    const acknowledged = new Map<number, string>();
    const unknown = new Set<number>();
    let next = 0;
    let killed: Promise<unknown> | undefined;
    const url = server.url;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        try {
          const r = await submit(url, i);
          if (r.status === 202 && r.id !== undefined) acknowledged.set(i, r.id);
          else unknown.add(i);
        } catch {
          unknown.add(i); // the connection died with the server: the client cannot know
        }
        if (acknowledged.size >= KILL_AFTER && killed === undefined) killed = server.stop('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const exit = await killed;
    expect(exit).toMatchObject({ signal: 'SIGKILL' });
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(unknown.size).toBeGreaterThan(0);

    server = await startServer(env);
    const auth = { authorization: `Bearer ${tokens.get('demo-refinery') ?? ''}` };
    const recipientAuth = { authorization: `Bearer ${tokens.get('gov-minprom') ?? ''}` };
    // Every 202 survived, whole: its container downloads and hashes to its address.
    for (const [i, id] of acknowledged) {
      const res = await fetch(`${server.url}/api/v1/messages/${id}`, { headers: auth });
      expect(res.status, `letter ${i}`).toBe(200);
      const c = await fetch(`${server.url}/api/v1/inbox/${id}/container`, { headers: recipientAuth });
      const bytes = Buffer.from(await c.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(c.headers.get('x-content-sha256'));
    }
    // The client retries what it does not know with the same keys.
    for (const i of unknown) {
      const r = await submit(server.url, i);
      expect(r.status, `retry ${i}`).toBe(202);
    }
    // Retrying an acknowledged one replays the same message.
    const [firstI, firstId] = [...acknowledged][0] ?? [0, ''];
    expect((await submit(server.url, firstI)).id).toBe(firstId);

    const all: { regNumber: string }[] = [];
    let after = '';
    for (;;) {
      const page = (await (await fetch(`${server.url}/api/v1/messages?limit=500${after}`, { headers: auth })).json()) as { items: { regNumber: string; seq: number }[]; next: string | null };
      all.push(...page.items);
      if (page.next === null) break;
      after = `&after=${page.next}`;
    }
    expect(all.length).toBe(TOTAL);
    expect(new Set(all.map((m) => m.regNumber)).size).toBe(TOTAL);

    await server.stop('SIGTERM');
    const db = openDatabase(join(dir, 'data', 'edx.sqlite'));
    try {
      migrate(db.sqlite, new Date());
      expect(verifyJournal(db.db)).toMatchObject({ ok: true });
    } finally {
      db.close();
    }
    server = await startServer(env);
  });
});
