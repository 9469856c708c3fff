/**
 * Importing an ETSI TS 119 612 trusted list into the trust store (issue 5, point 4).
 *
 * What is imported:
 * - the certificates of every CA/QC service whose status is granted become QUALIFIED anchors (an
 *   existing non-qualified anchor with that certificate is raised to qualified);
 * - with `includeNonQualified`, certificates of other granted services that are CA certificates
 *   (e.g. CA/PKC) become non-qualified anchors; without it they are reported as skipped, because
 *   a qualified list is no reason to trust its non-qualified CAs for anything else;
 * - CA/QC services not granted (withdrawn, deprecated...) are reported as withdrawn; an anchor
 *   whose qualification came from a trusted list of the same territory loses it (it stays an
 *   anchor: signatures made while it was qualified remain verifiable as chains, and removal stays
 *   an explicit administrator act). Manually managed anchors are never changed by an import.
 * - expired and non-CA certificates are skipped with the reason.
 *
 * Where anchors came from, and the last list imported per territory (for rollback protection),
 * are read from the journal (`trust-anchor.*` events), so no schema change was needed: the
 * journal already is the append-only record of every change to the trust store.
 */
import { eq, inArray } from 'drizzle-orm';
import { checkSequence, SERVICE_STATUS_GRANTED, SERVICE_TYPE_CA_QC, verifyTrustedList, type TrustedListErrorCode, type TrustedListService } from '../crypto/trusted-list/index.ts';
import { appendEvent, tables, type Db } from '../db/index.ts';
import { addTrustAnchor, fingerprintOf } from '../directory/index.ts';
import { readCertificateUpload } from './certificate-details.ts';
import type { AdminContext } from './errors.ts';

/** The journal event written once per accepted list (detail: {@link TrustedListImportRecord}). */
export const TRUSTED_LIST_IMPORTED_EVENT = 'trust-anchor.trusted-list-imported';
const ADDED = 'trust-anchor.added';
const QUALIFIED = 'trust-anchor.qualified';
const DISQUALIFIED = 'trust-anchor.disqualified';

/** A list is at most this large unless the caller says otherwise (national lists are a few MB at most). */
export const DEFAULT_TRUSTED_LIST_MAX_BYTES = 8 * 1024 * 1024;

export interface ImportTrustedListInput {
  xml: Uint8Array;
  /** SHA-256 fingerprints of the certificates allowed to sign the list (the operator's pin). */
  pinnedSignerFingerprints: readonly string[];
  /** Import a list past its NextUpdate (or closed), recording a warning. */
  allowExpired?: boolean;
  /** Also import granted non-CA/QC services' CA certificates, as non-qualified anchors. */
  includeNonQualified?: boolean;
  actor: string;
  maxBytes?: number;
}

export interface TrustedListAnchorChange {
  fingerprint: string;
  subject: string;
  tspName: string;
  serviceName: string;
  qualified: boolean;
}

export interface TrustedListSkipped {
  tspName: string;
  serviceName: string;
  serviceType: string;
  fingerprint: string | null;
  reason: string;
}

export interface TrustedListImportReport {
  territory: string;
  sequenceNumber: number;
  issued: string;
  nextUpdate: string | null;
  listSha256: string;
  signer: { fingerprint: string; subject: string };
  /** How anchors from this list are shown: `trusted-list <territory> #<sequence>`. */
  source: string;
  added: TrustedListAnchorChange[];
  /** Existing non-qualified anchors the list made qualified. */
  requalified: TrustedListAnchorChange[];
  unchanged: TrustedListAnchorChange[];
  /** CA/QC services that are not granted; `disqualified` when an anchor lost its qualification. */
  withdrawn: (TrustedListAnchorChange & { status: string; disqualified: boolean; present: boolean })[];
  skipped: TrustedListSkipped[];
  warnings: string[];
}

export interface TrustedListImportError {
  code: TrustedListErrorCode;
  message: string;
}

export type ImportTrustedListResult = { ok: true; value: TrustedListImportReport } | { ok: false; error: TrustedListImportError };

interface Candidate {
  der: Buffer;
  fingerprint: string;
  subject: string;
  service: TrustedListService;
}

/**
 * Verifies the list (signature, pinned signer, NextUpdate, sequence number; see
 * `verifyTrustedList`) and applies it to the trust store in ONE transaction with its journal rows:
 * `trust-anchor.added` / `.qualified` / `.disqualified` per anchor and one
 * `trust-anchor.trusted-list-imported` for the list. All XML and crypto work is done before the
 * transaction opens.
 */
export function importTrustedList(ctx: AdminContext, input: ImportTrustedListInput): ImportTrustedListResult {
  const now = ctx.now();
  const verified = verifyTrustedList({
    xml: input.xml,
    pinnedSignerFingerprints: input.pinnedSignerFingerprints,
    now,
    allowExpired: input.allowExpired === true,
    lastImported: lastTrustedListImports(ctx.db),
    signature: { limits: { maxBytes: input.maxBytes ?? DEFAULT_TRUSTED_LIST_MAX_BYTES } },
  });
  if (!verified.ok) return verified;
  const v = verified.value;
  const { list } = v;
  const source = `trusted-list ${list.territory} #${list.sequenceNumber}`;
  const warnings = [...v.warnings];
  const skipped: TrustedListSkipped[] = [];

  const qualified = new Map<string, Candidate>();
  const other = new Map<string, Candidate>();
  const withdrawnServices: Candidate[] = [];
  for (const service of list.services) {
    const isCaQc = service.serviceType === SERVICE_TYPE_CA_QC;
    const granted = service.status === SERVICE_STATUS_GRANTED;
    if (service.unreadableCertificates > 0) skipped.push(skip(service, null, `${service.unreadableCertificates} unreadable certificate(s)`));
    for (const der of service.certificates) {
      const fingerprint = fingerprintOf(der);
      if (isCaQc && !granted) {
        withdrawnServices.push({ der, fingerprint, subject: subjectOf(der), service });
        continue;
      }
      if (!granted) {
        skipped.push(skip(service, fingerprint, 'the service is not granted'));
        continue;
      }
      if (!isCaQc && input.includeNonQualified !== true) {
        skipped.push(skip(service, fingerprint, 'not a CA/QC service (pass includeNonQualified to import it as a non-qualified anchor)'));
        continue;
      }
      const checked = checkAnchorCertificate(der, now);
      if (!checked.ok) {
        skipped.push(skip(service, fingerprint, checked.reason));
        continue;
      }
      const candidate = { der, fingerprint, subject: checked.subject, service };
      if (isCaQc) qualified.set(fingerprint, candidate);
      else if (!qualified.has(fingerprint)) other.set(fingerprint, candidate);
    }
  }
  for (const fp of qualified.keys()) other.delete(fp);

  return ctx.db.transaction((tx): ImportTrustedListResult => {
    // Repeated inside the transaction: another process may have imported a newer list meanwhile.
    const raced = checkSequence(list, v.listSha256, lastTrustedListImports(tx)[list.territory]);
    if (raced !== undefined) return { ok: false, error: { code: 'TL_ROLLBACK', message: raced } };
    const sources = trustAnchorSourcesIn(tx);
    const t = tables.trustAnchors;
    const existing = new Map(
      tx
        .select({ fingerprint: t.fingerprint, qualified: t.qualified })
        .from(t)
        .where(inArray(t.fingerprint, [...qualified.keys(), ...other.keys(), ...withdrawnServices.map((w) => w.fingerprint)]))
        .all()
        .map((r) => [r.fingerprint, r.qualified]),
    );
    const report: TrustedListImportReport = {
      territory: list.territory,
      sequenceNumber: list.sequenceNumber,
      issued: list.issued,
      nextUpdate: list.nextUpdate,
      listSha256: v.listSha256,
      signer: { fingerprint: v.signerFingerprint, subject: subjectOf(v.signerCertificate) },
      source,
      added: [],
      requalified: [],
      unchanged: [],
      withdrawn: [],
      skipped,
      warnings,
    };
    const journal = (type: string, c: Candidate, isQualified: boolean, extra: Record<string, unknown> = {}): void => {
      appendEvent(tx, {
        at: now.toISOString(),
        type,
        actor: input.actor,
        messageId: null,
        fromState: null,
        toState: null,
        detail: { fingerprint: c.fingerprint, subject: c.subject, qualified: isQualified, source, service: c.service.serviceName, tsp: c.service.tspName, ...extra },
      });
    };
    const apply = (c: Candidate, isQualified: boolean): void => {
      const change = changeOf(c, isQualified);
      const was = existing.get(c.fingerprint);
      if (was === undefined) {
        addTrustAnchor(tx, { der: c.der, label: labelOf(c.service), qualified: isQualified, now });
        journal(ADDED, c, isQualified, { label: labelOf(c.service) });
        existing.set(c.fingerprint, isQualified);
        report.added.push(change);
      } else if (isQualified && !was) {
        tx.update(t).set({ qualified: true }).where(eq(t.fingerprint, c.fingerprint)).run();
        journal(QUALIFIED, c, true);
        existing.set(c.fingerprint, true);
        report.requalified.push(change);
      } else {
        report.unchanged.push({ ...change, qualified: was });
      }
    };
    for (const c of qualified.values()) apply(c, true);
    for (const c of other.values()) apply(c, false);
    for (const w of withdrawnServices) {
      if (qualified.has(w.fingerprint)) continue;
      const was = existing.get(w.fingerprint);
      const managedHere = sources.get(w.fingerprint)?.startsWith(`trusted-list ${list.territory} `) === true;
      const disqualify = was === true && managedHere;
      if (disqualify) {
        tx.update(t).set({ qualified: false }).where(eq(t.fingerprint, w.fingerprint)).run();
        journal(DISQUALIFIED, w, false, { status: w.service.status });
        existing.set(w.fingerprint, false);
      } else if (was === true) {
        warnings.push(`${w.subject} is withdrawn in ${source} but is a manually managed qualified anchor: left unchanged`);
      }
      report.withdrawn.push({ ...changeOf(w, false), status: w.service.status, disqualified: disqualify, present: was !== undefined });
    }
    const record: TrustedListImportRecord = {
      territory: list.territory,
      sequenceNumber: list.sequenceNumber,
      issued: list.issued,
      nextUpdate: list.nextUpdate,
      listSha256: v.listSha256,
      signerFingerprint: v.signerFingerprint,
      added: report.added.length,
      requalified: report.requalified.length,
      unchanged: report.unchanged.length,
      withdrawn: report.withdrawn.length,
      disqualified: report.withdrawn.filter((w) => w.disqualified).length,
      skipped: report.skipped.length,
      warnings,
    };
    appendEvent(tx, { at: now.toISOString(), type: TRUSTED_LIST_IMPORTED_EVENT, actor: input.actor, messageId: null, fromState: null, toState: null, detail: { ...record } });
    return { ok: true, value: report };
  });
}

/** The journal detail of one accepted list. */
export interface TrustedListImportRecord {
  territory: string;
  sequenceNumber: number;
  issued: string;
  nextUpdate: string | null;
  listSha256: string;
  signerFingerprint: string;
  added: number;
  requalified: number;
  unchanged: number;
  withdrawn: number;
  disqualified: number;
  skipped: number;
  warnings: string[];
}

/** Per territory, the highest-numbered list imported so far (from the journal). */
export function lastTrustedListImports(db: Db): Record<string, { sequenceNumber: number; listSha256: string }> {
  const out: Record<string, { sequenceNumber: number; listSha256: string }> = {};
  const rows = db.select({ detailJson: tables.events.detailJson }).from(tables.events).where(eq(tables.events.type, TRUSTED_LIST_IMPORTED_EVENT)).orderBy(tables.events.seq).all();
  for (const r of rows) {
    const d = JSON.parse(r.detailJson) as Partial<TrustedListImportRecord>;
    if (typeof d.territory !== 'string' || typeof d.sequenceNumber !== 'number' || typeof d.listSha256 !== 'string') continue;
    const prev = out[d.territory];
    if (prev === undefined || d.sequenceNumber >= prev.sequenceNumber) out[d.territory] = { sequenceNumber: d.sequenceNumber, listSha256: d.listSha256 };
  }
  return out;
}

/**
 * Where each trust anchor's current standing came from, by fingerprint: `trusted-list <territory>
 * #<sequence>` when a trusted list added it or made it qualified last, `manual` otherwise. Read
 * from the journal; anchors added before journalling existed read as `manual`.
 */
export function trustAnchorSources(ctx: AdminContext): Map<string, string> {
  return trustAnchorSourcesIn(ctx.db);
}

function trustAnchorSourcesIn(db: Db): Map<string, string> {
  const out = new Map<string, string>();
  const e = tables.events;
  const rows = db.select({ type: e.type, detailJson: e.detailJson }).from(e).where(inArray(e.type, [ADDED, QUALIFIED])).orderBy(e.seq).all();
  for (const r of rows) {
    const d = JSON.parse(r.detailJson) as { fingerprint?: unknown; source?: unknown };
    if (typeof d.fingerprint !== 'string') continue;
    if (typeof d.source === 'string') out.set(d.fingerprint, d.source);
    else if (r.type === ADDED) out.set(d.fingerprint, 'manual');
  }
  return out;
}

function checkAnchorCertificate(der: Buffer, now: Date): { ok: true; subject: string } | { ok: false; reason: string } {
  const read = readCertificateUpload(der);
  const cert = read.ok ? read.certificates[0] : undefined;
  if (cert === undefined) return { ok: false, reason: 'not a readable X.509 certificate' };
  const s = cert.summary;
  if (!s.isCA || (s.keyUsage.length > 0 && !s.keyUsage.includes('keyCertSign'))) return { ok: false, reason: 'not a CA certificate (basicConstraints cA with keyCertSign)' };
  if (new Date(s.notAfter).getTime() <= now.getTime()) return { ok: false, reason: `expired at ${s.notAfter}` };
  return { ok: true, subject: s.subject };
}

function subjectOf(der: Buffer): string {
  const read = readCertificateUpload(der);
  return (read.ok ? read.certificates[0]?.summary.subject : undefined) ?? '';
}

function labelOf(service: TrustedListService): string {
  const label = `${service.serviceName} (${service.tspName})`;
  return label.length > 200 ? `${label.slice(0, 199)}…` : label;
}

function changeOf(c: Candidate, qualified: boolean): TrustedListAnchorChange {
  return { fingerprint: c.fingerprint, subject: c.subject, tspName: c.service.tspName, serviceName: c.service.serviceName, qualified };
}

function skip(service: TrustedListService, fingerprint: string | null, reason: string): TrustedListSkipped {
  return { tspName: service.tspName, serviceName: service.serviceName, serviceType: service.serviceType, fingerprint, reason };
}
