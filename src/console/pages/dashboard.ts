import type { RegisteredCertificate } from '../../admin/index.ts';
import { barChart } from '../chart.ts';
import { h } from '../html.ts';
import { formatDateTime, stateName } from '../i18n.ts';
import { num, page, type View } from '../layout.ts';
import type { Dashboard } from '../queries.ts';
import { messageRows } from './messages.ts';

function duration(seconds: number | null, lang: 'ru' | 'en'): string {
  if (seconds === null) return '—';
  if (seconds < 120) return `${seconds.toFixed(1)} ${lang === 'ru' ? 'с' : 's'}`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} ${lang === 'ru' ? 'мин' : 'min'}`;
  return `${(seconds / 3600).toFixed(1)} ${lang === 'ru' ? 'ч' : 'h'}`;
}

function bucketLabel(le: number, lang: 'ru' | 'en'): string {
  return le < 60 ? `≤ ${le} ${lang === 'ru' ? 'с' : 's'}` : le < 3600 ? `≤ ${le / 60} ${lang === 'ru' ? 'мин' : 'min'}` : `≤ ${le / 3600} ${lang === 'ru' ? 'ч' : 'h'}`;
}

export function dashboardPage(v: View, d: Dashboard, expiring: readonly (RegisteredCertificate & { participantName: string; daysLeft: number })[]): string {
  const t = v.t;
  const total = d.byState.reduce((s, r) => s + r.count, 0);
  const body = h`<div class="grid">
<section aria-labelledby="by-state"><h2 id="by-state">${t.byState}</h2>
<table><thead><tr><th scope="col">${t.state}</th><th scope="col" class="num">${t.count}</th></tr></thead><tbody>
${d.byState.map((r) => h`<tr><th scope="row"><a href="/console/messages?state=${r.state}">${stateName(v.lang, r.state)}</a></th>${num(r.count)}</tr>`)}
</tbody><tfoot><tr><th scope="row">${t.total}</th>${num(total)}</tr></tfoot></table>
<p>${t.overdueResponses}: <a href="/console/reports/discipline"><strong>${d.overdue}</strong></a></p></section>
<section aria-labelledby="latency"><h2 id="latency">${t.latency}</h2>
<p>${t.delivered}: ${d.latency.count}. ${t.averageLatency}: ${duration(d.latency.averageSeconds, v.lang)}.</p>
${barChart({
  id: 'latency-chart',
  title: t.latency,
  description: `${t.delivered}: ${d.latency.count}`,
  series: [t.count],
  bars: d.latency.buckets.map((b, i) => ({ label: bucketLabel(b.le, v.lang), values: [b.count - (i === 0 ? 0 : (d.latency.buckets[i - 1]?.count ?? 0))] })),
  width: 560,
})}</section></div>
<section aria-labelledby="attention"><h2 id="attention">${t.attention}</h2>
${d.attention.length === 0 ? h`<p>${t.none}</p>` : messageRows(v, d.attention)}</section>
<section aria-labelledby="expiring"><h2 id="expiring">${t.expiring}</h2>
${
  expiring.length === 0
    ? h`<p>${t.none}</p>`
    : h`<table><thead><tr><th scope="col">${t.participant}</th><th scope="col">${t.subject}</th><th scope="col">${t.notAfter}</th><th scope="col" class="num">${t.daysLeft}</th></tr></thead><tbody>
${expiring.map((c) => h`<tr><td><a href="/console/directory/${encodeURIComponent(c.participantId)}">${c.participantName}</a></td><td>${c.subject}</td><td>${formatDateTime(c.notAfter, v.lang, v.tz)}</td>${num(c.daysLeft)}</tr>`)}</tbody></table>`
}</section>`;
  return page(v, { title: t.dashboardTitle, body });
}
