import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { and, eq } from 'drizzle-orm';
import { describeCertificate, loadSigningKeyPem, type SigningKey, type TrustAnchor } from '../crypto/index.ts';
import { tables, type Db } from '../db/index.ts';
import type { SigningIdentity } from '../letters/index.ts';

export function fingerprintOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Registers a certificate for a participant (idempotent by fingerprint). Synchronous: call in a transaction. */
export function registerCertificate(db: Db, input: { participantId: string; der: Buffer; hostedKeyPath?: string; now: Date }): void {
  const s = describeCertificate(input.der);
  db.insert(tables.certificates)
    .values({
      participantId: input.participantId,
      fingerprint: fingerprintOf(input.der),
      der: input.der,
      subject: s.subject,
      issuer: s.issuer,
      serialNumber: s.serialNumber,
      notBefore: s.notBefore,
      notAfter: s.notAfter,
      state: 'active',
      hostedKeyPath: input.hostedKeyPath ?? null,
      createdAt: input.now.toISOString(),
      revokedAt: null,
    })
    .onConflictDoNothing()
    .run();
}

/** Whether `der` is an active certificate registered for `participantId` (SPEC §4: the signer belongs to the sender). */
export function isRegisteredFor(db: Db, participantId: string, der: Uint8Array): boolean {
  return isFingerprintRegisteredFor(db, participantId, fingerprintOf(der));
}

/** Same, by SHA-256 fingerprint (hex), as validation reports carry it. */
export function isFingerprintRegisteredFor(db: Db, participantId: string, fingerprint: string): boolean {
  const row = db
    .select({ id: tables.certificates.id })
    .from(tables.certificates)
    .where(and(eq(tables.certificates.fingerprint, fingerprint.toLowerCase()), eq(tables.certificates.participantId, participantId), eq(tables.certificates.state, 'active')))
    .get();
  return row !== undefined;
}

/**
 * The participant's hosted signing identity: the newest active certificate with a hosted key
 * that is valid at `now`. Undefined when the participant signs only with its own system.
 */
export async function hostedIdentity(db: Db, participantId: string, now: Date): Promise<SigningIdentity<SigningKey> | undefined> {
  const rows = db
    .select()
    .from(tables.certificates)
    .where(and(eq(tables.certificates.participantId, participantId), eq(tables.certificates.state, 'active')))
    .all()
    .filter((r) => r.hostedKeyPath !== null && r.notBefore <= now.toISOString() && r.notAfter > now.toISOString())
    .sort((a, b) => b.notBefore.localeCompare(a.notBefore));
  const row = rows[0];
  if (row?.hostedKeyPath == null) return undefined;
  const pem = await readFile(row.hostedKeyPath, 'latin1');
  let key = parsedKeys.get(pem);
  if (key === undefined) {
    const loaded = loadSigningKeyPem(pem);
    if (!loaded.ok) throw new Error(`hosted key of ${participantId} is unusable: ${loaded.error.message}`);
    key = loaded.value;
    // Parsing a key costs about a millisecond; a replaced key file is a different PEM, a new entry.
    if (parsedKeys.size >= 2048) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return { privateKey: key, certificate: row.der, chain: [] };
}

const parsedKeys = new Map<string, SigningKey>();

export function addTrustAnchor(db: Db, input: { der: Buffer; label: string; qualified: boolean; now: Date }): void {
  db.insert(tables.trustAnchors)
    .values({
      fingerprint: fingerprintOf(input.der),
      der: input.der,
      subject: describeCertificate(input.der).subject,
      label: input.label,
      qualified: input.qualified,
      createdAt: input.now.toISOString(),
    })
    .onConflictDoNothing()
    .run();
}

export function listTrustAnchors(db: Db): TrustAnchor[] {
  return db
    .select()
    .from(tables.trustAnchors)
    .all()
    .map((r) => ({ certificate: r.der, qualified: r.qualified, label: r.label }));
}
