import { MESSAGE_STATES } from '../../db/index.ts';
import type { MessageView, StoredEvidence } from '../../delivery/index.ts';
import { h, type Html } from '../html.ts';
import { formatCalendarDate, formatDateTime, kindName, stateName } from '../i18n.ts';
import { num, page, type View } from '../layout.ts';
import type { MessageListItem } from '../queries.ts';

/** The search form's values as typed, echoed back into the fields. */
export interface MessageFilters {
  reg: string;
  subject: string;
  sender: string;
  recipient: string;
  state: string;
  from: string;
  to: string;
}

export function messageRows(v: View, items: readonly MessageListItem[]): Html {
  const t = v.t;
  return h`<table class="messages"><thead><tr><th scope="col">${t.regNumber}</th><th scope="col">${t.subject}</th><th scope="col">${t.sender}</th><th scope="col">${t.recipient}</th><th scope="col">${t.state}</th><th scope="col">${t.created}</th><th scope="col">${t.responseDue}</th></tr></thead><tbody>
${items.map(
  (m) =>
    h`<tr><td><a href="/console/messages/${m.id}">${m.regNumber}</a></td><td>${m.subject}</td><td>${m.senderName}</td><td>${m.recipientName}</td><td><span class="state state-${m.state}">${stateName(v.lang, m.state)}</span></td><td>${formatDateTime(m.createdAt, v.lang, v.tz)}</td><td>${formatCalendarDate(m.responseDue, v.lang)}</td></tr>`,
)}</tbody></table>`;
}

function field(id: string, label: string, value: string, type = 'text', extra: Html = h``): Html {
  return h`<div><label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" value="${value}"${extra}></div>`;
}

export function messagesPage(v: View, input: { filters: MessageFilters; items: readonly MessageListItem[]; nextHref: string | null; firstHref: string | null; error?: string }): string {
  const t = v.t;
  const f = input.filters;
  const form = h`<form method="get" action="/console/messages" class="filters" role="search" aria-label="${t.messagesTitle}">
${field('reg', t.regNumber, f.reg)}${field('subject', t.subject, f.subject)}
${field('sender', `${t.sender} (${t.senderHint})`, f.sender)}${field('recipient', `${t.recipient} (${t.senderHint})`, f.recipient)}
<div><label for="state">${t.state}</label><select id="state" name="state"><option value="">${t.anyState}</option>${MESSAGE_STATES.map((s) => h`<option value="${s}"${f.state === s ? h` selected` : ''}>${stateName(v.lang, s)}</option>`)}</select></div>
${field('from', t.dateFrom, f.from, 'date')}${field('to', t.dateTo, f.to, 'date')}
<div><button type="submit">${t.search}</button></div></form>`;
  const pager = h`<nav class="pager" aria-label="${t.next}">${input.firstHref === null ? '' : h`<a href="${input.firstHref}">${t.first}</a> `}${input.nextHref === null ? '' : h`<a href="${input.nextHref}" rel="next">${t.next}</a>`}</nav>`;
  const body = h`${form}${input.items.length === 0 ? h`<p>${t.noMessages}</p>` : messageRows(v, input.items)}${pager}`;
  return page(v, { title: t.messagesTitle, body, ...(input.error === undefined ? {} : { error: input.error }) });
}

interface ChainEntry {
  subject?: unknown;
}

function chainOf(report: unknown): string[] {
  if (typeof report !== 'object' || report === null || !('chain' in report) || !Array.isArray(report.chain)) return [];
  return (report.chain as ChainEntry[]).map((c) => (typeof c.subject === 'string' ? c.subject : '?'));
}

function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail === 'object' && Object.keys(detail).length === 0) return '';
  return JSON.stringify(detail);
}

export function messagePage(v: View, input: { view: MessageView; names: ReadonlyMap<string, string>; evidence: readonly StoredEvidence[] }): string {
  const t = v.t;
  const m = input.view;
  const name = (id: string): string => input.names.get(id) ?? id;
  const base = `/console/messages/${m.id}`;
  const body = h`<section aria-labelledby="summary"><h2 id="summary">${t.summary}</h2>
<dl class="facts"><dt>${t.regNumber}</dt><dd>${m.document.regNumber}</dd><dt>${t.regDate}</dt><dd>${formatCalendarDate(m.document.regDate, v.lang)}</dd>
<dt>${t.subject}</dt><dd>${m.document.subject}</dd><dt>${t.kind}</dt><dd>${kindName(v.lang, m.document.kind)}</dd>
<dt>${t.sender}</dt><dd>${name(m.from)} (${m.from})</dd><dt>${t.recipient}</dt><dd>${name(m.to)} (${m.to})</dd>
<dt>${t.state}</dt><dd><span class="state state-${m.state}">${stateName(v.lang, m.state)}</span></dd>
<dt>${t.created}</dt><dd>${formatDateTime(m.createdAt, v.lang, v.tz)}</dd><dt>${t.delivered}</dt><dd>${formatDateTime(m.deliveredAt, v.lang, v.tz)}</dd>
<dt>${t.responseDue}</dt><dd>${formatCalendarDate(m.document.responseDue, v.lang)}</dd>
${m.document.inReplyTo === null ? '' : h`<dt>${t.inReplyTo}</dt><dd><a href="/console/messages/${m.document.inReplyTo}">${m.document.inReplyTo}</a></dd>`}
<dt>${t.attempts}</dt><dd>${m.attempts}</dd><dt>${t.expires}</dt><dd>${formatDateTime(m.expiresAt, v.lang, v.tz)}</dd>
<dt>ID</dt><dd><code>${m.id}</code></dd></dl>
<p><a class="button" href="${base}/container" download>${t.downloadContainer}</a></p></section>
<section aria-labelledby="timeline"><h2 id="timeline">${t.timeline}</h2>
<ol class="timeline">${m.timeline.map(
    (e) =>
      h`<li><time datetime="${e.at}">${formatDateTime(e.at, v.lang, v.tz)}</time> — <strong>${e.type}</strong>${e.from === null && e.to === null ? '' : h` (${e.from === null ? '∅' : stateName(v.lang, e.from)} → ${e.to === null ? '∅' : stateName(v.lang, e.to)})`}, ${t.actor}: ${e.actor}${detailText(e.detail) === '' ? '' : h` <code>${detailText(e.detail)}</code>`}</li>`,
  )}</ol></section>
<section aria-labelledby="files"><h2 id="files">${t.files}</h2>
<table><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.role}</th><th scope="col">${t.mediaType}</th><th scope="col" class="num">${t.size}</th><th scope="col">${t.digest}</th></tr></thead><tbody>
${m.files.map((f) => h`<tr><th scope="row">${f.name}</th><td>${f.role}</td><td>${f.mediaType}</td>${num(f.size)}<td><code>${f.digest.algorithm}:${f.digest.value}</code></td></tr>`)}</tbody></table></section>
<section aria-labelledby="signatures"><h2 id="signatures">${t.signatures}</h2>
<table><thead><tr><th scope="col">${t.path}</th><th scope="col">${t.indication}</th><th scope="col">${t.signer}</th><th scope="col">${t.chain}</th></tr></thead><tbody>
${m.signatures.map(
    (s) =>
      h`<tr><th scope="row">${s.path}${s.receiptId === null ? '' : h` (${t.receipts})`}</th><td><span class="indication ind-${s.indication}">${s.indication}</span>${s.subIndication === null ? '' : h` / ${s.subIndication}`}</td><td>${s.signer ?? '—'}</td><td><ol class="chain">${chainOf(s.report).map((c) => h`<li>${c}</li>`)}</ol></td></tr>`,
  )}</tbody></table></section>
<section aria-labelledby="receipts"><h2 id="receipts">${t.receipts}</h2>
${
  m.receipts.length === 0
    ? h`<p>${t.none}</p>`
    : h`<table><thead><tr><th scope="col">${t.kind}</th><th scope="col">${t.issuedBy}</th><th scope="col">${t.issuedAt}</th><th scope="col">${t.registration}</th><th scope="col">${t.reason}</th><th scope="col">${t.download}</th></tr></thead><tbody>
${m.receipts.map(
  (r) =>
    h`<tr><th scope="row">${r.kind}</th><td>${r.issuedBy === 'gateway' ? r.issuedBy : name(r.issuerId)}</td><td>${formatDateTime(r.issuedAt, v.lang, v.tz)}</td><td>${r.registration === null ? '—' : `${r.registration.number} / ${formatCalendarDate(r.registration.date, v.lang)}`}</td><td>${r.reason === null ? '—' : `${r.reason.code}: ${r.reason.text}`}</td><td><a href="${base}/receipts/${r.id}" download>${t.download} <span class="visually-hidden">${r.kind}</span></a></td></tr>`,
)}</tbody></table>`
}</section>
<section aria-labelledby="evidence"><h2 id="evidence">${t.evidence}</h2>
<p>${t.evidenceHelp}</p>
${
  input.evidence.length === 0
    ? h`<p>${t.none}</p>`
    : h`<table><thead><tr><th scope="col">${t.kind}</th><th scope="col">${t.path}</th><th scope="col">${t.genTime}</th><th scope="col">SHA-256</th><th scope="col">${t.download}</th></tr></thead><tbody>
${input.evidence.map(
  (e) =>
    h`<tr><th scope="row">${evidenceKindName(t, e.kind)}</th><td>${e.path}${e.receiptId === null ? '' : h` (${t.receipts})`}</td><td>${e.genTime === null ? '—' : formatDateTime(e.genTime, v.lang, v.tz)}</td><td><code class="fp">${e.sha256}</code></td><td><a href="${base}/evidence/${String(e.id)}" download>${t.download} <span class="visually-hidden">${evidenceKindName(t, e.kind)} ${String(e.id)}</span></a></td></tr>`,
)}</tbody></table>`
}</section>`;
  return page(v, { title: `${t.messageTitle} ${m.document.regNumber}`, body });
}

function evidenceKindName(t: View['t'], kind: StoredEvidence['kind']): string {
  return kind === 'crl' ? t.evidenceCrl : kind === 'ocsp' ? t.evidenceOcsp : t.evidenceTimestamp;
}
