import { eq } from 'drizzle-orm';
import { describeCertificate } from '../crypto/index.ts';
import { appendEvent, tables } from '../db/index.ts';
import { addTrustAnchor } from '../directory/index.ts';
import { certificateDetails, readCertificateUpload, type CertificateDetails } from './certificate-details.ts';
import { fail, ok, type AdminContext, type AdminResult } from './errors.ts';
import { trustAnchorSources } from './import-trusted-list.ts';

export interface TrustAnchorView extends CertificateDetails {
  label: string;
  qualified: boolean;
  addedAt: string;
  /** `manual`, or `trusted-list <territory> #<sequence>` for the list that added or qualified it last. */
  source: string;
}

type AnchorRow = typeof tables.trustAnchors.$inferSelect;

function anchorView(row: AnchorRow, source = 'manual'): TrustAnchorView {
  const details = certificateDetails(describeCertificate(row.der), { certificate: row.der, qualified: row.qualified, label: row.label });
  return { ...details, label: row.label, qualified: row.qualified, addedAt: row.createdAt, source };
}

/** The trusted CA certificates (SPEC §4), each with where it came from (issue 5: manual or a trusted list). */
export function listTrustAnchorViews(ctx: AdminContext): TrustAnchorView[] {
  const sources = trustAnchorSources(ctx);
  return ctx.db
    .select()
    .from(tables.trustAnchors)
    .all()
    .map((row) => anchorView(row, sources.get(row.fingerprint)));
}

/**
 * Adds a CA certificate (PEM or DER, exactly one) as a trust anchor; `qualified` marks an
 * accredited CA, whose chains make signatures qualified. The certificate must be a CA (RFC 5280
 * §4.2.1.9 basicConstraints cA, and keyCertSign if keyUsage is present) and not expired.
 */
export function addTrustAnchorCertificate(
  ctx: AdminContext,
  input: { body: Uint8Array; label?: string; qualified: boolean; actor: string },
): AdminResult<TrustAnchorView> {
  const read = readCertificateUpload(input.body);
  if (!read.ok) return fail('CERTIFICATE_UNREADABLE', read.message);
  const [first, ...rest] = read.certificates;
  if (first === undefined || rest.length > 0) return fail('CERTIFICATE_UNREADABLE', 'send exactly one CA certificate');
  const s = first.summary;
  if (!s.isCA || (s.keyUsage.length > 0 && !s.keyUsage.includes('keyCertSign'))) {
    return fail('TRUST_ANCHOR_NOT_CA', `${s.subject} is not a CA certificate (basicConstraints cA with keyCertSign)`);
  }
  const now = ctx.now();
  if (new Date(s.notAfter).getTime() <= now.getTime()) return fail('CERTIFICATE_EXPIRED', `${s.subject} expired at ${s.notAfter}`);
  const label = input.label ?? s.commonName ?? s.subject;
  return ctx.db.transaction((tx): AdminResult<TrustAnchorView> => {
    const t = tables.trustAnchors;
    if (tx.select({ id: t.id }).from(t).where(eq(t.fingerprint, s.fingerprintSha256)).get() !== undefined) {
      return fail('TRUST_ANCHOR_EXISTS', `${s.subject} is already a trust anchor`);
    }
    addTrustAnchor(tx, { der: first.der, label, qualified: input.qualified, now });
    appendEvent(tx, {
      at: now.toISOString(),
      type: 'trust-anchor.added',
      actor: input.actor,
      messageId: null,
      fromState: null,
      toState: null,
      detail: { fingerprint: s.fingerprintSha256, subject: s.subject, label, qualified: input.qualified },
    });
    const row = tx.select().from(t).where(eq(t.fingerprint, s.fingerprintSha256)).get();
    if (row === undefined) throw new Error('trust anchor vanished inside its own transaction');
    return ok(anchorView(row));
  });
}

/** Removes a trust anchor: signatures chaining only to it stop validating from the next verification on. */
export function removeTrustAnchor(ctx: AdminContext, input: { fingerprint: string; actor: string }): AdminResult<TrustAnchorView> {
  return ctx.db.transaction((tx): AdminResult<TrustAnchorView> => {
    const t = tables.trustAnchors;
    const row = tx.select().from(t).where(eq(t.fingerprint, input.fingerprint)).get();
    if (row === undefined) return fail('TRUST_ANCHOR_NOT_FOUND', `no trust anchor ${input.fingerprint}`);
    tx.delete(t).where(eq(t.id, row.id)).run();
    appendEvent(tx, {
      at: ctx.now().toISOString(),
      type: 'trust-anchor.removed',
      actor: input.actor,
      messageId: null,
      fromState: null,
      toState: null,
      detail: { fingerprint: row.fingerprint, subject: row.subject, label: row.label, qualified: row.qualified },
    });
    return ok(anchorView(row));
  });
}
