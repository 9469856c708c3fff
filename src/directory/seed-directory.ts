import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { initDevPki, pemToDerList, type KeyAlgorithm } from '../crypto/index.ts';
import { appendEvent, tables, type Db } from '../db/index.ts';
import { registerCertificate, addTrustAnchor } from './certificates.ts';
import { parentsFirst } from './participants.ts';
import type { DirectoryFixture } from './fixture/index.ts';
import { issueToken, type Role } from './tokens.ts';

export interface DevToken {
  participantId: string;
  name: string;
  roles: Role[];
  token: string;
}

export interface SeedDirectoryInput {
  db: Db;
  fixture: DirectoryFixture;
  /** Where the development PKI is written (`<dataDir>/pki`). */
  pkiDir: string;
  /** Where the development tokens are written (`<dataDir>/tokens.json`, mode 0600). */
  tokensPath: string;
  now: Date;
  algorithm?: KeyAlgorithm;
  /** Progress of the development PKI, passed to initDevPki (`edx init` shows it). */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  seeded: boolean;
  participants: number;
  operatorId: string;
}

/**
 * First start (issue 3): when the directory is empty, loads the fixture's participants, creates
 * the development PKI for all of them (keys hosted by the gateway), registers their certificates
 * and the development root as a qualified trust anchor, and issues development tokens — one
 * `send`+`receive` token per participant and an `admin` token for the operator (the first
 * participant of category `governor-administration`, the body that runs the regional EDMS).
 * Key generation happens before the transaction; the database part commits as one.
 */
export async function seedDirectory(input: SeedDirectoryInput): Promise<SeedResult> {
  const { db, fixture, now } = input;
  const operator = fixture.participants.find((p) => p.category === 'governor-administration') ?? fixture.participants[0];
  if (operator === undefined) throw new Error('the directory fixture has no participants');
  const existing = db.select({ n: count() }).from(tables.participants).get()?.n ?? 0;
  if (existing > 0) return { seeded: false, participants: existing, operatorId: operator.id };

  const rootExists = (await stat(join(input.pkiDir, 'root.pem')).catch(() => undefined)) !== undefined;
  const pki = await initDevPki({
    dir: input.pkiDir,
    participants: fixture.participants,
    now,
    overwrite: rootExists, // an interrupted first start left a PKI the empty database never registered
    operator: { name: operator.name, inn: operator.inn, ogrn: operator.ogrn },
    ...(input.algorithm === undefined ? {} : { algorithm: input.algorithm }),
    ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
  });
  const rootDer = pemToDerList(await readFile(pki.rootCertPath))[0];
  if (rootDer === undefined) throw new Error('development root certificate unreadable');
  const certs = new Map<string, { der: Buffer; keyPath: string }>();
  for (const p of pki.participants) certs.set(p.id, { der: p.certificate, keyPath: p.keyPath });

  const tokens: DevToken[] = [];
  db.transaction((tx) => {
    const at = now.toISOString();
    for (const p of parentsFirst(fixture.participants)) {
      tx.insert(tables.participants)
        .values({
          id: p.id,
          kind: p.kind,
          category: p.category,
          name: p.name,
          shortName: p.shortName,
          inn: p.inn,
          ogrn: p.ogrn,
          kpp: p.kpp,
          parentId: p.parentId,
          region: p.region,
          address: p.address,
          email: p.email,
          phone: p.phone,
          deliveryMode: p.delivery.mode,
          pushEndpoint: p.delivery.mode === 'push' ? p.delivery.endpoint : null,
          state: 'active',
          signatoryJson: JSON.stringify(p.signatory),
          createdAt: at,
          updatedAt: at,
        })
        .run();
    }
    for (const p of fixture.participants) {
      const c = certs.get(p.id);
      if (c === undefined) throw new Error(`no certificate issued for ${p.id}`);
      registerCertificate(tx, { participantId: p.id, der: c.der, hostedKeyPath: c.keyPath, now });
    }
    addTrustAnchor(tx, { der: rootDer, label: 'edx-gateway development root CA (development only)', qualified: true, now });
    for (const p of fixture.participants) {
      const roles: Role[] = ['receive', 'send'];
      const { token } = issueToken(tx, { participantId: p.id, name: `development token of ${p.id}`, roles, now, actor: 'seed' });
      tokens.push({ participantId: p.id, name: p.shortName, roles, token });
    }
    const admin = issueToken(tx, { participantId: operator.id, name: 'development admin token', roles: ['admin'], now, actor: 'seed' });
    tokens.unshift({ participantId: operator.id, name: `${operator.shortName} (administrator)`, roles: ['admin'], token: admin.token });
    appendEvent(tx, {
      at,
      type: 'directory.seeded',
      actor: 'seed',
      messageId: null,
      fromState: null,
      toState: null,
      detail: { participants: fixture.participants.length, operatorId: operator.id },
    });
  });
  await writeFile(input.tokensPath, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return { seeded: true, participants: fixture.participants.length, operatorId: operator.id };
}

