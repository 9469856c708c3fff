import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAlgorithm } from '../../src/crypto/index.ts';
import type { GatewayTimestamping } from '../../src/delivery/index.ts';
import { loadDirectoryFixture, type DirectoryEntry, type DirectoryFixture, type DevToken } from '../../src/directory/index.ts';
import { openGateway, type Gateway } from '../../src/open-gateway.ts';

/** A few participants of the real fixture: the operator, two enterprises, four government bodies. */
export const SMALL_DIRECTORY_IDS = ['gov-government', 'demo-refinery', 'demo-supplier', 'gov-minprom', 'gov-mineconomy', 'gov-minfin', 'gov-minobr'] as const;

export async function smallDirectory(ids: readonly string[] = SMALL_DIRECTORY_IDS, tweak?: (e: DirectoryEntry) => DirectoryEntry): Promise<DirectoryFixture> {
  const full = await loadDirectoryFixture();
  if (!full.ok) throw new Error(full.error.message);
  const keep = new Set(ids);
  const participants = full.value.participants
    .filter((p) => keep.has(p.id))
    .map((p) => ({ ...p, parentId: p.parentId !== null && keep.has(p.parentId) ? p.parentId : null }))
    .map((p) => (tweak === undefined ? p : tweak(p)));
  return { ...full.value, participants };
}

export interface TestGateway extends Gateway {
  dir: string;
  tokens: Map<string, string>;
  adminToken: string;
  clock: { now: Date };
  dispose(): Promise<void>;
}

/** A gateway on a fresh temp data directory with a small directory and a settable clock. */
export async function startTestGateway(
  options: {
    directory?: DirectoryFixture;
    revocation?: 'require' | 'skip';
    maxUploadBytes?: number;
    pkiAlgorithm?: KeyAlgorithm;
    timestamp?: GatewayTimestamping;
    /** The clock's start: the development PKI is issued at this time, so a fixed date stays valid on any later day. */
    now?: Date;
  } = {},
): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'edx-gw-'));
  const clock = { now: options.now ?? new Date() };
  const gateway = await openGateway({
    dataDir: join(dir, 'data'),
    revocation: options.revocation ?? 'skip',
    maxUploadBytes: options.maxUploadBytes ?? 64 * 1024 * 1024,
    messageTtlMs: 72 * 3_600_000,
    now: () => clock.now,
    newId: () => randomUUID(),
    directory: options.directory ?? (await smallDirectory()),
    ...(options.pkiAlgorithm === undefined ? {} : { pkiAlgorithm: options.pkiAlgorithm }),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  const list = JSON.parse(await readFile(gateway.paths.tokens, 'utf8')) as DevToken[];
  const tokens = new Map(list.filter((t) => !t.roles.includes('admin')).map((t) => [t.participantId, t.token]));
  const admin = list.find((t) => t.roles.includes('admin'));
  if (admin === undefined) throw new Error('no admin token seeded');
  return {
    ...gateway,
    dir,
    tokens,
    adminToken: admin.token,
    clock,
    dispose: async () => {
      gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function tokenOf(gw: TestGateway, participantId: string): string {
  const t = gw.tokens.get(participantId);
  if (t === undefined) throw new Error(`no token for ${participantId}`);
  return t;
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A multipart letter submission as an EDMS would post it. */
export function letterForm(input: {
  to: readonly string[];
  document?: Record<string, unknown>;
  files?: readonly { name: string; bytes: Uint8Array; type?: string }[];
  signatures?: readonly { name: string; bytes: Uint8Array }[];
  metadata?: string;
}): FormData {
  const form = new FormData();
  const document = input.document ?? {
    kind: 'letter',
    regNumber: '01-15/2318',
    regDate: '2026-11-24',
    subject: 'О согласовании графика поставок',
    signatory: { name: 'Иванов Иван Иванович', position: 'Генеральный директор' },
  };
  form.set('metadata', input.metadata ?? JSON.stringify({ to: input.to, document }));
  for (const f of input.files ?? [{ name: 'Письмо.pdf', bytes: Buffer.from('%PDF-1.7\nletter body\n'), type: 'application/pdf' }]) {
    form.append('files', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
  }
  for (const s of input.signatures ?? []) form.append('signatures', new Blob([s.bytes], { type: 'application/pkcs7-signature' }), s.name);
  return form;
}
