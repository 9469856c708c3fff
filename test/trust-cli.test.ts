/** `edx trust list|add` over a real gateway data directory (issue 5: show trust anchors in `edx trust list`). */
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevPki } from '../src/crypto/index.ts';
import { tables } from '../src/db/index.ts';
import { edx } from './helpers/cli.ts';
import { smallDirectory, startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
let dataDir: string;
let otherRoot: string;
let otherLeaf: string;

beforeAll(async () => {
  gw = await startTestGateway();
  dataDir = join(gw.dir, 'data');
  const directory = await smallDirectory(['gov-government', 'demo-refinery']);
  const other = await initDevPki({ dir: join(gw.dir, 'other-pki'), participants: directory.participants, now: gw.clock.now });
  otherRoot = other.rootCertPath;
  otherLeaf = other.participants[0]?.certPath ?? '';
});
afterAll(async () => {
  await gw.dispose();
});

describe('edx trust', () => {
  it('lists the development root as qualified', async () => {
    const r = await edx(['trust', 'list', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^QUALIFIED {2}CN=edx-gateway development root CA/mu);
  });

  it('adds a CA certificate, journalled, and lists it as not qualified', async () => {
    const added = await edx(['trust', 'add', otherRoot, '--data-dir', dataDir, '--label', 'second CA']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const list = await edx(['trust', 'list', '--data-dir', dataDir, '--json']);
    const anchors = JSON.parse(list.stdout) as { label: string; qualified: boolean }[];
    expect(anchors.map((a) => [a.label, a.qualified])).toContainEqual(['second CA', false]);
    const journalled = gw.ctx.db.select().from(tables.events).where(eq(tables.events.actor, 'cli')).all();
    expect(journalled.length).toBe(1);
  });

  it('refuses a certificate that is not a CA, garbage, and a missing database, changing nothing', async () => {
    const before = gw.ctx.db.select().from(tables.trustAnchors).all().length;
    const leaf = await edx(['trust', 'add', otherLeaf, '--data-dir', dataDir]);
    expect(leaf.code).toBe(2);
    expect(leaf.stderr).toMatch(/edx trust add: [A-Z_]+: /u);
    const garbage = await edx(['trust', 'add', join(gw.dir, 'data', 'tokens.json'), '--data-dir', dataDir]);
    expect(garbage.code).toBe(2);
    expect(gw.ctx.db.select().from(tables.trustAnchors).all().length).toBe(before);
    const missing = await edx(['trust', 'list', '--data-dir', join(gw.dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('DATABASE_UNREADABLE');
  });
});
