import type { JournalVerification } from '../../db/index.ts';
import { h } from '../html.ts';
import { formatDateTime } from '../i18n.ts';
import { num, page, type View } from '../layout.ts';
import type { AuditRow } from '../queries.ts';

export interface AuditFilters {
  type: string;
  messageId: string;
}

/** The hash-chained journal (SPEC §5), newest first, filtered by event type and message id. */
export function auditPage(v: View, input: { filters: AuditFilters; items: readonly AuditRow[]; nextHref: string | null; firstHref: string | null }): string {
  const t = v.t;
  const f = input.filters;
  const filters = h`<form method="get" action="/console/audit" role="search" aria-label="${t.auditTitle}" class="filters">
<div><label for="type">${t.eventType}</label><input id="type" name="type" value="${f.type}" maxlength="100"></div>
<div><label for="message">${t.messageId}</label><input id="message" name="message" value="${f.messageId}" maxlength="100"></div>
<div><button type="submit">${t.filter}</button></div></form>
<form method="get" action="/console/audit/verify"><button type="submit">${t.verifyChain}</button></form>`;
  const table =
    input.items.length === 0
      ? h`<p>${t.noEvents}</p>`
      : h`<table><thead><tr><th scope="col">${t.seq}</th><th scope="col">${t.at}</th><th scope="col">${t.eventType}</th><th scope="col">${t.actor}</th><th scope="col">${t.messageId}</th><th scope="col">${t.transition}</th><th scope="col">${t.details}</th></tr></thead><tbody>
${input.items.map(
  (r) =>
    h`<tr id="row-${r.seq}"><th scope="row" class="num">${r.seq}</th><td>${formatDateTime(r.at, v.lang, v.tz)}</td><td><code>${r.type}</code></td><td>${r.actor}</td><td>${r.messageId === null ? '—' : h`<a href="/console/messages/${encodeURIComponent(r.messageId)}">${r.messageId}</a>`}</td><td>${r.fromState === null && r.toState === null ? '—' : `${r.fromState ?? '—'} → ${r.toState ?? '—'}`}</td><td><code class="detail">${r.detailJson}</code></td></tr>`,
)}</tbody></table>`;
  const pager = h`<nav class="pager" aria-label="${t.auditTitle}">${input.firstHref === null ? '' : h`<a href="${input.firstHref}">${t.newest}</a> `}${input.nextHref === null ? '' : h`<a href="${input.nextHref}" rel="next">${t.next}</a>`}</nav>`;
  return page(v, { title: t.auditTitle, body: h`<p>${t.auditHelp}</p>${filters}${table}${pager}` });
}

/** The result of recomputing the whole chain: OK with the row count and last hash, or the first bad row. */
export function auditVerifyPage(v: View, result: JournalVerification): string {
  const t = v.t;
  const body = result.ok
    ? h`<p class="flash" role="status"><strong>${t.chainOk}</strong></p><table><tbody><tr><th scope="row">${t.chainRows}</th>${num(result.rows)}</tr><tr><th scope="row">${t.lastHash}</th><td><code class="fp">${result.lastHash}</code></td></tr></tbody></table>`
    : h`<p class="error" role="alert"><strong>${t.chainBroken}</strong></p><table><tbody><tr><th scope="row">${t.brokenRow}</th><td class="num"><a href="/console/audit?before=${result.seq + 1}#row-${result.seq}">${result.seq}</a></td></tr><tr><th scope="row">${t.reason}</th><td>${result.reason}</td></tr></tbody></table>`;
  return page(v, { title: t.verifyTitle, body: h`${body}<p><a href="/console/audit">${t.auditTitle}</a></p>` });
}
