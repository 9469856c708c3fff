import { and, asc, eq, gt, lte } from 'drizzle-orm';
import { describeCertificate, type TrustAnchor } from '../crypto/index.ts';
import { appendEvent, tables } from '../db/index.ts';
import { getParticipant, listTrustAnchors, registerCertificate } from '../directory/index.ts';
import { anchorOf, certificateDetails, readCertificateUpload, type CertificateDetails } from './certificate-details.ts';
import { fail, ok, type AdminContext, type AdminResult } from './errors.ts';

const DAY_MS = 86_400_000;
/** Certificates expiring within this many days get a warning on upload (issue 6). */
export const EXPIRY_WARNING_DAYS = 30;

export interface AdminWarning {
  code: 'EXPIRING_SOON' | 'NOT_YET_VALID' | 'UNTRUSTED_CHAIN' | 'IDENTIFIER_MISMATCH' | 'ALREADY_REGISTERED' | 'CA_NOT_REGISTERED';
  fingerprint: string;
  message: string;
}

export interface RegisteredCertificate extends CertificateDetails {
  participantId: string;
  state: 'active' | 'revoked';
  revokedAt: string | null;
  registeredAt: string;
  /** Whether the gateway holds a key for it (hosted signing); the key path is never shown. */
  hostedKey: boolean;
}

type CertificateRow = typeof tables.certificates.$inferSelect;

/** `intermediates`: CA certificates known for this request (an upload's bundle); stored certificates are judged against the anchors alone. */
function registeredView(row: CertificateRow, anchors: readonly TrustAnchor[], intermediates: readonly Buffer[] = []): RegisteredCertificate {
  return {
    ...certificateDetails(describeCertificate(row.der), anchorOf(row.der, intermediates, anchors)),
    participantId: row.participantId,
    state: row.state,
    revokedAt: row.revokedAt,
    registeredAt: row.createdAt,
    hostedKey: row.hostedKeyPath !== null,
  };
}

/**
 * Registers the end-entity certificates of an upload (PEM, DER or a PKCS#7 bundle) for a
 * participant, so signatures made with them count as the participant's (SPEC §4). Refused as a
 * whole: an unreadable upload, an expired certificate, a certificate registered for another
 * participant, an upload of CA certificates only. Warned: expiry within 30 days, not yet valid, no
 * chain to a trust anchor (CA certificates of the bundle count as intermediates), OGRN/INN other
 * than the participant's.
 */
export function uploadCertificates(
  ctx: AdminContext,
  input: { participantId: string; body: Uint8Array; actor: string },
): AdminResult<{ certificates: (RegisteredCertificate & { created: boolean })[]; warnings: AdminWarning[] }> {
  const read = readCertificateUpload(input.body);
  if (!read.ok) return fail('CERTIFICATE_UNREADABLE', read.message);
  const now = ctx.now();
  const leaves = read.certificates.filter((c) => !c.summary.isCA);
  const cas = read.certificates.filter((c) => c.summary.isCA);
  if (leaves.length === 0) return fail('CERTIFICATE_IS_CA', 'the upload holds only CA certificates; add a CA as a trust anchor instead');
  for (const c of leaves) {
    if (new Date(c.summary.notAfter).getTime() <= now.getTime()) {
      return fail('CERTIFICATE_EXPIRED', `certificate ${c.summary.subject} expired at ${c.summary.notAfter}`, { fingerprint: c.summary.fingerprintSha256 });
    }
  }
  const at = now.toISOString();
  return ctx.db.transaction((tx) => {
    const participant = getParticipant(tx, input.participantId);
    if (participant === undefined) return fail('PARTICIPANT_NOT_FOUND', `no participant ${input.participantId}`);
    const anchors = listTrustAnchors(tx);
    const warnings: AdminWarning[] = cas.map((c) => ({
      code: 'CA_NOT_REGISTERED' as const,
      fingerprint: c.summary.fingerprintSha256,
      message: `CA certificate ${c.summary.subject} was used only to build chains, not registered`,
    }));
    const caDers = cas.map((x) => x.der);
    const existing = new Map<string, CertificateRow>();
    for (const c of leaves) {
      const row = tx.select().from(tables.certificates).where(eq(tables.certificates.fingerprint, c.summary.fingerprintSha256)).get();
      if (row === undefined) continue;
      if (row.participantId !== input.participantId) {
        return fail('CERTIFICATE_CONFLICT', `certificate ${c.summary.subject} is registered for ${row.participantId}`, { fingerprint: c.summary.fingerprintSha256 });
      }
      existing.set(c.summary.fingerprintSha256, row);
    }
    const out: (RegisteredCertificate & { created: boolean })[] = [];
    for (const c of leaves) {
      const s = c.summary;
      const fp = s.fingerprintSha256;
      const anchor = anchorOf(c.der, caDers, anchors);
      if (anchor === undefined) warnings.push({ code: 'UNTRUSTED_CHAIN', fingerprint: fp, message: `${s.subject} does not chain to a trust anchor` });
      const daysLeft = (new Date(s.notAfter).getTime() - now.getTime()) / DAY_MS;
      if (daysLeft <= EXPIRY_WARNING_DAYS) warnings.push({ code: 'EXPIRING_SOON', fingerprint: fp, message: `${s.subject} expires in ${Math.floor(daysLeft)} day(s), at ${s.notAfter}` });
      if (new Date(s.notBefore).getTime() > now.getTime()) warnings.push({ code: 'NOT_YET_VALID', fingerprint: fp, message: `${s.subject} is valid only from ${s.notBefore}` });
      const ogrn = s.ogrn ?? s.ogrnip;
      const inn = s.innle ?? s.inn;
      if ((ogrn !== undefined && ogrn !== participant.ogrn) || (inn !== undefined && inn !== participant.inn)) {
        warnings.push({ code: 'IDENTIFIER_MISMATCH', fingerprint: fp, message: `the certificate names OGRN ${ogrn ?? '-'} / INN ${inn ?? '-'}, the participant has ${participant.ogrn} / ${participant.inn}` });
      }
      const known = existing.get(fp);
      if (known !== undefined) {
        warnings.push({ code: 'ALREADY_REGISTERED', fingerprint: fp, message: `${s.subject} was already registered (${known.state})` });
        out.push({ ...registeredView(known, anchors, caDers), created: false });
        continue;
      }
      registerCertificate(tx, { participantId: input.participantId, der: c.der, now });
      appendEvent(tx, {
        at,
        type: 'certificate.registered',
        actor: input.actor,
        messageId: null,
        fromState: null,
        toState: 'active',
        detail: { participantId: input.participantId, fingerprint: fp, subject: s.subject, issuer: s.issuer, notAfter: s.notAfter },
      });
      const row = tx.select().from(tables.certificates).where(eq(tables.certificates.fingerprint, fp)).get();
      if (row === undefined) throw new Error(`certificate ${fp} vanished inside its own transaction`);
      out.push({ ...registeredView(row, anchors, caDers), created: true });
    }
    return ok({ certificates: out, warnings });
  });
}

/** The certificates registered for a participant, newest first, with their parsed details. */
export function listParticipantCertificates(ctx: AdminContext, input: { participantId: string }): AdminResult<RegisteredCertificate[]> {
  if (getParticipant(ctx.db, input.participantId) === undefined) return fail('PARTICIPANT_NOT_FOUND', `no participant ${input.participantId}`);
  const anchors = listTrustAnchors(ctx.db);
  const rows = ctx.db.select().from(tables.certificates).where(eq(tables.certificates.participantId, input.participantId)).all();
  return ok(rows.sort((a, b) => b.id - a.id).map((r) => registeredView(r, anchors)));
}

/** Active certificates that expire within `days` from now (not those already expired), soonest first. */
export function listExpiringCertificates(ctx: AdminContext, input: { days: number }): (RegisteredCertificate & { participantName: string; daysLeft: number })[] {
  const now = ctx.now();
  const horizon = new Date(now.getTime() + input.days * DAY_MS).toISOString();
  const c = tables.certificates;
  const rows = ctx.db
    .select({ cert: c, name: tables.participants.name })
    .from(c)
    .innerJoin(tables.participants, eq(tables.participants.id, c.participantId))
    .where(and(eq(c.state, 'active'), gt(c.notAfter, now.toISOString()), lte(c.notAfter, horizon)))
    .orderBy(asc(c.notAfter))
    .all();
  const anchors = listTrustAnchors(ctx.db);
  return rows.map((r) => ({
    ...registeredView(r.cert, anchors),
    participantName: r.name,
    daysLeft: Math.floor((new Date(r.cert.notAfter).getTime() - now.getTime()) / DAY_MS),
  }));
}

/**
 * Revokes a certificate locally: signatures made with it no longer count as its participant's
 * and its hosted key is no longer used. (Revocation by the CA, CRL/OCSP, is a separate check.)
 */
export function revokeCertificate(ctx: AdminContext, input: { fingerprint: string; actor: string; reason?: string }): AdminResult<RegisteredCertificate> {
  const at = ctx.now().toISOString();
  const c = tables.certificates;
  return ctx.db.transaction((tx): AdminResult<RegisteredCertificate> => {
    const changed = tx.update(c).set({ state: 'revoked', revokedAt: at }).where(and(eq(c.fingerprint, input.fingerprint), eq(c.state, 'active'))).run().changes;
    const row = tx.select().from(c).where(eq(c.fingerprint, input.fingerprint)).get();
    if (row === undefined) return fail('CERTIFICATE_NOT_FOUND', `no registered certificate ${input.fingerprint}`);
    if (changed !== 1) return fail('STATE_CONFLICT', `certificate ${input.fingerprint} is already revoked`);
    appendEvent(tx, {
      at,
      type: 'certificate.revoked',
      actor: input.actor,
      messageId: null,
      fromState: 'active',
      toState: 'revoked',
      detail: { participantId: row.participantId, fingerprint: row.fingerprint, subject: row.subject, ...(input.reason === undefined ? {} : { reason: input.reason }) },
    });
    return ok(registeredView(row, listTrustAnchors(tx)));
  });
}
