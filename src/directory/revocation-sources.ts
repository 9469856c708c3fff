import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { derToPem, issueCrl, loadSigningKeyPem, pemToDerList, type RevocationInput } from '../crypto/index.ts';
import { tables, type Db } from '../db/index.ts';

/**
 * Where the gateway's validator gets revocation data (SPEC §4: CRL, then OCSP): CRL files the
 * operator configures (a trust store's CRLs, refreshed by whatever fetches them) and, in
 * development, the development CA's own CRL, which the gateway re-issues from the certificates an
 * administrator revoked. Read once and on every refresh; the validator gets them from memory.
 */
export interface RevocationSources {
  current(): RevocationInput;
  /** Re-issues the development CRL (when the dev root key is present) and reloads every CRL file. */
  refresh(now: Date): Promise<void>;
}

const DAY_MS = 86_400_000;

export function createRevocationSources(input: { db: Db; pkiDir: string; crlFiles: readonly string[] }): RevocationSources {
  let crls: Buffer[] = [];
  const devCrl = join(input.pkiDir, 'crl.pem');

  async function reissueDevCrl(now: Date): Promise<void> {
    const key = await readFile(join(input.pkiDir, 'root.key.pem'), 'latin1').catch(() => undefined);
    const cert = await readFile(join(input.pkiDir, 'root.pem')).catch(() => undefined);
    if (key === undefined || cert === undefined) return; // not a development PKI: nothing to sign with
    const privateKey = loadSigningKeyPem(key);
    const certificate = pemToDerList(cert)[0];
    if (!privateKey.ok || certificate === undefined) return;
    // Every locally revoked certificate goes on the CRL; only the dev root's own are accepted by
    // anyone checking its signature, and others are simply not matched.
    const revoked = input.db
      .select({ serial: tables.certificates.serialNumber, at: tables.certificates.revokedAt })
      .from(tables.certificates)
      .where(eq(tables.certificates.state, 'revoked'))
      .all()
      .map((r) => ({ serial: r.serial, at: new Date(r.at ?? now.toISOString()) }));
    const der = issueCrl({
      issuer: { certificate, privateKey: privateKey.value },
      revoked,
      thisUpdate: new Date(now.getTime() - 60_000),
      nextUpdate: new Date(now.getTime() + 7 * DAY_MS),
      crlNumber: Math.floor(now.getTime() / 1000),
    });
    await writeFile(devCrl, derToPem(der, 'X509 CRL'));
  }

  async function load(path: string): Promise<Buffer[]> {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes === undefined) return [];
    const pem = pemToDerList(bytes, 'X509 CRL');
    return pem.length > 0 ? pem : bytes[0] === 0x30 ? [bytes] : [];
  }

  return {
    current: () => ({ crls }),
    refresh: async (now) => {
      await reissueDevCrl(now);
      const all: Buffer[] = [];
      for (const path of [devCrl, ...input.crlFiles]) all.push(...(await load(path)));
      crls = all;
    },
  };
}
