/**
 * Console render time with 100,000 stored messages (issue 6: the directory page with 734 rows and
 * the messages page render in under 200 ms on the server). Each page is requested through the
 * app (session lookup, query, HTML, headers); the limit is the same read queries alone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchParticipants } from '../src/admin/index.ts';
import { openSession, searchMessages } from '../src/console/index.ts';
import { MESSAGE_STATES, tables } from '../src/db/index.ts';
import { authenticateToken } from '../src/directory/index.ts';
import { openGateway } from '../src/open-gateway.ts';
import type { BenchRow } from './letters.ts';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function time(n: number, run: () => Promise<unknown> | unknown): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 5; i += 1) await run();
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

export async function benchConsole(options: { quick: boolean }): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-bench-console-'));
  const count = 100_000;
  const iterations = options.quick ? 30 : 200;
  try {
    const gw = await openGateway({ dataDir: join(dir, 'data'), revocation: 'skip', maxUploadBytes: 64 * 1024 * 1024, messageTtlMs: 72 * 3_600_000 });
    try {
      const db = gw.ctx.db;
      const ids = db.select({ id: tables.participants.id }).from(tables.participants).all().map((r) => r.id);
      const start = Date.parse('2026-01-01T00:00:00Z');
      db.transaction((tx) => {
        tx.insert(tables.submissions).values({ id: 'bench', senderId: ids[0] ?? '', idempotencyKey: null, requestHash: 'bench', responseJson: '{}', createdAt: new Date(start).toISOString() }).run();
        for (let i = 0; i < count; i += 500) {
          const rows = [];
          for (let j = i; j < Math.min(count, i + 500); j += 1) {
            const at = new Date(start + j * 60_000).toISOString();
            const state = MESSAGE_STATES[j % MESSAGE_STATES.length] ?? 'queued';
            rows.push({
              id: randomUUID(),
              submissionId: 'bench',
              senderId: ids[j % ids.length] ?? '',
              recipientId: ids[(j * 7 + 1) % ids.length] ?? '',
              state,
              kind: 'letter',
              regNumber: `${String(j % 97).padStart(2, '0')}-${j}`,
              regDate: at.slice(0, 10),
              subject: `Письмо номер ${j} о согласовании`,
              inReplyTo: null,
              responseDue: new Date(start + j * 60_000 + 10 * 86_400_000).toISOString().slice(0, 10),
              envelopeDigest: randomBytes(32).toString('base64'),
              containerBlob: 'bench',
              containerSize: 1000,
              createdAt: at,
              updatedAt: at,
              deliveredAt: state === 'queued' || state === 'retrying' || state === 'failed' || state === 'accepted' ? null : new Date(start + j * 60_000 + 30_000).toISOString(),
              expiresAt: at,
              nextAttemptAt: null,
              attempts: 0,
              answeredBy: null,
            });
          }
          tx.insert(tables.messages).values(rows).run();
        }
      });
      const tokens = JSON.parse(await (await import('node:fs/promises')).readFile(gw.paths.tokens, 'utf8')) as { token: string; roles: string[] }[];
      const adminToken = tokens.find((t) => t.roles.includes('admin'))?.token ?? '';
      if (authenticateToken(db, adminToken) === undefined) throw new Error('no admin token');
      const session = openSession(db, { token: adminToken, now: new Date(), random: (n) => randomBytes(n) });
      if (session === undefined) throw new Error('no session');
      const headers = { cookie: `edx_session=${session.id}` };
      const page = async (path: string): Promise<void> => {
        const res = await gw.app.request(`http://localhost${path}`, { headers });
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        await res.text();
      };
      const admin = { db, now: () => new Date() };
      const fmt = (t: { p50: number; p99: number }): string => `p50 ${t.p50.toFixed(2)} ms, p99 ${t.p99.toFixed(2)} ms`;
      const rows: BenchRow[] = [];
      const cases: [string, string, () => unknown][] = [
        [`console directory page (${ids.length} participants)`, '/console/directory', () => searchParticipants(admin, { limit: 50, offset: 0 })],
        [`console messages page (${count} messages)`, '/console/messages', () => searchMessages(db, { all: true }, { limit: 50 })],
        ['console messages, state filter', '/console/messages?state=failed', () => searchMessages(db, { all: true }, { state: 'failed', limit: 50 })],
        ['console messages, subject search', `/console/messages?subject=${encodeURIComponent('номер 99999')}`, () => searchMessages(db, { all: true }, { subject: 'номер 99999', limit: 50 })],
      ];
      for (const [name, path, query] of cases) {
        const ours = await time(iterations, () => page(path));
        const limit = await time(iterations, query);
        rows.push({ name, ours: fmt(ours), limit: `same query alone: ${fmt(limit)}`, ratio: ours.p50 / limit.p50, target: `p99 < 200 ms (${ours.p99 < 200 ? 'met' : 'MISSED'})` });
      }
      return rows;
    } finally {
      gw.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
