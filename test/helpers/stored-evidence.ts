/**
 * Shared by the long-term evidence tests: a gateway that requires revocation, the download of a
 * message's container and of every stored evidence item through the API (as a recipient and the
 * sender would), and the `edx verify --json` reports.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DevToken } from '../../src/directory/index.ts';
import { openGateway, type Gateway } from '../../src/open-gateway.ts';
import { auth, smallDirectory } from './gateway.ts';

export interface StoredEvidenceItem {
  id: number;
  kind: 'crl' | 'ocsp' | 'signature-timestamp';
  path: string;
  receiptId: string | null;
}

/** The fields of a validation report these tests read. */
export interface VerifiedReport {
  indication: string;
  subIndication: string | null;
  bestSignatureTime: string;
  validationTime: string;
  timestamp: { genTime: string; detached: boolean; tsa: string } | null;
  checks: { id: string; status: string; message?: string }[];
  warnings: string[];
}

export interface VerifiedContainer {
  passed: boolean;
  signatures: { path: string; role: string; reports: VerifiedReport[] }[];
}

/**
 * The recipient's container (`recipientToken`) and every evidence item of the message (listed and
 * fetched with `senderToken`), each saved in a new folder under `scratch` with the file name the API gives it.
 */
export async function downloadMessageEvidence(
  gw: Pick<Gateway, 'app'>,
  input: { messageId: string; recipientToken: string; senderToken: string; scratch: string },
): Promise<{ zip: string; dir: string; evidence: (StoredEvidenceItem & { file: string })[] }> {
  const { messageId: id, scratch } = input;
  const res = await gw.app.request(`/api/v1/inbox/${id}/container`, { headers: auth(input.recipientToken) });
  expect(res.status).toBe(200);
  const zip = join(scratch, `${randomUUID()}.zip`);
  await writeFile(zip, Buffer.from(await res.arrayBuffer()));
  const list = await gw.app.request(`/api/v1/messages/${id}/evidence`, { headers: auth(input.senderToken) });
  const items = ((await list.json()) as { evidence: StoredEvidenceItem[] }).evidence;
  const dir = join(scratch, randomUUID());
  await mkdir(dir);
  const evidence: (StoredEvidenceItem & { file: string })[] = [];
  for (const e of items) {
    const item = await gw.app.request(`/api/v1/messages/${id}/evidence/${e.id}`, { headers: auth(input.senderToken) });
    expect(item.status).toBe(200);
    const name = /filename="([^"]+)"/u.exec(item.headers.get('content-disposition') ?? '')?.[1];
    if (name === undefined) throw new Error('no file name for the evidence download');
    await writeFile(join(dir, name), Buffer.from(await item.arrayBuffer()));
    evidence.push({ ...e, file: name });
  }
  return { zip, dir, evidence };
}

/** The first report of the signature whose container path ends with `path`. */
export function reportOf(v: VerifiedContainer, path: string): VerifiedReport {
  const r = v.signatures.find((s) => s.path.endsWith(path))?.reports[0];
  if (r === undefined) throw new Error(`no report for ${path}: ${JSON.stringify(v.signatures.map((s) => s.path))}`);
  return r;
}

export interface EvidenceGateway extends Gateway {
  /** The gateway's fixed clock. */
  now: Date;
  admin: string;
  /** The development token of a participant. */
  token(participant: string): string;
}

/**
 * A gateway that requires revocation and may fetch it from loopback (the CRL cache refreshed
 * before it returns), optionally with a TSA; the signers' CA is added as a trust anchor and the
 * signatory's certificate registered for `participantId`, through the admin API.
 */
export async function openEvidenceGateway(input: {
  dataDir: string;
  tsa?: { url: string; anchor: Buffer; label: string };
  signersCaPem: Buffer;
  signatoryCertPem: Buffer;
  participantId: string;
}): Promise<EvidenceGateway> {
  const now = new Date();
  const gw = await openGateway({
    dataDir: input.dataDir,
    revocation: 'require',
    maxUploadBytes: 16 * 1024 * 1024,
    messageTtlMs: 72 * 3_600_000,
    now: () => now,
    directory: await smallDirectory(),
    revocationFetch: { fetch: globalThis.fetch, allowHosts: ['127.0.0.1'], timeoutMs: 5_000, maxBytes: 1024 * 1024, minRefreshMs: 15 * 60_000 },
    ...(input.tsa === undefined
      ? {}
      : { timestamp: { url: input.tsa.url, trustAnchors: [{ certificate: input.tsa.anchor, qualified: false, label: input.tsa.label }], fetch: globalThis.fetch, timeoutMs: 5_000 } }),
  });
  const tokens = JSON.parse(await readFile(gw.paths.tokens, 'utf8')) as DevToken[];
  const opened: EvidenceGateway = {
    ...gw,
    now,
    admin: tokens.find((t) => t.roles.includes('admin'))?.token ?? '',
    token: (participant) => tokens.find((t) => t.participantId === participant && !t.roles.includes('admin'))?.token ?? '',
  };
  const anchor = await gw.app.request('/api/v1/admin/trust-anchors?label=openssl-ca', { method: 'POST', body: input.signersCaPem, headers: auth(opened.admin) });
  expect(anchor.status).toBe(201);
  const reg = await gw.app.request(`/api/v1/admin/participants/${input.participantId}/certificates`, { method: 'POST', body: input.signatoryCertPem, headers: auth(opened.admin) });
  expect(reg.status, await reg.clone().text()).toBe(201);
  await gw.refreshCrlCache();
  return opened;
}
