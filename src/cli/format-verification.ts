import type { ValidationReport } from '../crypto/index.ts';
import type { ContainerVerification } from '../letters/index.ts';

function signerLine(r: ValidationReport): string {
  const s = r.signedBy;
  if (s === null) return '(signer unknown)';
  const ids = [s.ogrn === undefined ? '' : `OGRN ${s.ogrn}`, s.innle === undefined ? '' : `INN ${s.innle}`, s.snils === undefined ? '' : `SNILS ${s.snils}`]
    .filter((x) => x !== '')
    .join(', ');
  const who = [s.commonName, s.title, s.organization].filter((x) => x !== undefined && x !== '').join(', ');
  return ids === '' ? who : `${who} (${ids})`;
}

/** The human table `edx verify` prints: one block per signature, then container findings. */
export function formatVerification(v: ContainerVerification): string {
  const out: string[] = [];
  if (v.kind === 'letter') {
    const e = v.envelope;
    out.push(`letter ${e.messageId}`);
    out.push(`  from ${e.sender.name} [${e.sender.id}] to ${e.recipient.name} [${e.recipient.id}]`);
    out.push(`  ${e.document.kind} No ${e.document.regNumber} of ${e.document.regDate}: ${e.document.subject}`);
    out.push(`  signatory ${e.document.signatory.name}, ${e.document.signatory.position}`);
    if (e.document.inReplyTo !== undefined) out.push(`  in reply to ${e.document.inReplyTo}`);
    if (e.document.responseDue !== undefined) out.push(`  response due ${e.document.responseDue}`);
  } else {
    const r = v.receipt;
    out.push(`receipt ${r.receiptId}: ${r.kind} for message ${r.messageId}`);
    out.push(`  issued by ${r.issuer.name} [${r.issuer.id}] at ${r.issuedAt}`);
    if (r.registration !== undefined) out.push(`  registered as No ${r.registration.number} of ${r.registration.date}`);
    if (r.reason !== undefined) out.push(`  reason ${r.reason.code}: ${r.reason.text}`);
  }
  out.push('');
  for (const s of v.signatures) {
    const what = s.role === 'transport' ? 'transport signature' : `signature of ${s.fileName ?? s.fileId ?? '?'}`;
    for (const r of s.reports) {
      const verdict = r.subIndication === null ? r.indication : `${r.indication} / ${r.subIndication}`;
      out.push(`${verdict.padEnd(40)} ${what} (${s.path})`);
      out.push(`  signer:       ${signerLine(r)}`);
      out.push(`  signing time: ${r.signingTime ?? '-'}`);
      out.push(`  qualification: ${r.qualification}`);
      if (r.chain.length > 0) out.push(`  chain:        ${r.chain.map((c) => c.commonName ?? c.subject).join(' <- ')}`);
      if (r.timestamp !== null) out.push(`  time-stamp:   ${r.timestamp.genTime} by ${r.timestamp.tsa} (best signature time)`);
      out.push(`  revocation:   ${r.revocation.checked ? `checked: ${r.revocation.note}` : `NOT checked (${r.revocation.note})`}`);
      for (const c of r.checks) {
        // A signature without a time-stamp is ordinary CAdES-BES, not something to point out.
        if (c.id === 'timestamp' && c.status === 'not-checked') continue;
        if (c.status !== 'passed') out.push(`  ${c.status.padEnd(13)} ${c.id}${c.message === undefined ? '' : `: ${c.message}`}`);
      }
      for (const w of r.warnings) out.push(`  warning: ${w}`);
    }
  }
  if (v.findings.length > 0) {
    out.push('');
    for (const f of v.findings) out.push(`FAILED ${f.code}: ${f.message}`);
  }
  out.push('');
  out.push(v.passed ? 'RESULT: every signature TOTAL-PASSED' : 'RESULT: NOT PASSED');
  return `${out.join('\n')}\n`;
}
