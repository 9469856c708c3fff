/**
 * Blob collection on a running gateway (`edx blobs gc`): orphans of failed submissions go, every
 * container, receipt and evidence blob a row references stays and still downloads, and the act is
 * journalled.
 */
import { randomBytes } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables, verifyJournal } from '../src/db/index.ts';
import { edx } from './helpers/cli.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

describe('edx blobs gc', () => {
  it('removes old unreferenced blobs and nothing a row references', async () => {
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom', 'gov-minfin'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    expect(sent.status).toBe(202);
    const ids = ((await sent.json()) as { messages: { id: string }[] }).messages.map((m) => m.id);

    const orphan = await gw.ctx.blobs.putBuffer(randomBytes(4096));
    const young = await gw.ctx.blobs.putBuffer(randomBytes(1024));
    const old = new Date(Date.now() - 3 * 86_400_000);
    const orphanPath = await gw.ctx.blobs.pathOf(orphan.id);
    if (orphanPath === undefined) throw new Error('orphan not stored');
    await utimes(orphanPath, old, old);
    // Referenced blobs aged as well: age alone must not make them garbage.
    for (const m of gw.ctx.db.select().from(tables.messages).all()) {
      const p = await gw.ctx.blobs.pathOf(m.containerBlob);
      if (p !== undefined) await utimes(p, old, old);
    }
    const dataDir = dirname(gw.paths.database);

    const dry = await edx(['blobs', 'gc', '--data-dir', dataDir, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, removed: 1, removedBytes: 4096, young: 1 });
    expect(await gw.ctx.blobs.pathOf(orphan.id)).toBeDefined();

    const run = await edx(['blobs', 'gc', '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/removed 1 \(4096 bytes\)/u);
    expect(await gw.ctx.blobs.pathOf(orphan.id)).toBeUndefined();
    expect(await gw.ctx.blobs.pathOf(young.id)).toBeDefined();

    for (const m of gw.ctx.db.select().from(tables.messages).all()) expect(await gw.ctx.blobs.pathOf(m.containerBlob)).toBeDefined();
    const first = gw.ctx.db.select().from(tables.messages).all().find((m) => m.id === ids[0]);
    if (first === undefined) throw new Error('message missing');
    const download = await gw.app.request(`/api/v1/inbox/${first.id}/container`, { headers: auth(tokenOf(gw, first.recipientId)) });
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(0);
    for (const r of gw.ctx.db.select().from(tables.receipts).all()) expect(await gw.ctx.blobs.pathOf(r.containerBlob)).toBeDefined();
    const events = gw.ctx.db.select().from(tables.events).all().filter((e) => e.type === 'blobs.collected');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.detailJson ?? '{}')).toMatchObject({ removed: 1 });
    expect(verifyJournal(gw.ctx.db).ok).toBe(true);
  });

  it('refuses bad arguments and a missing database without touching anything', async () => {
    expect((await edx(['blobs', 'gc', '--data-dir', '/nonexistent-edx'])).code).toBe(2);
    expect((await edx(['blobs', 'gc', '--grace-hours', '-1'])).code).toBe(2);
  });
});
