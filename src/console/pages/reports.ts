import { barChart } from '../chart.ts';
import { h } from '../html.ts';
import { formatCalendarDate, kindName, stateName } from '../i18n.ts';
import { num, page, type View } from '../layout.ts';
import type { DeliveryReport, DisciplineReport } from '../queries.ts';

function seconds(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

function periodForm(v: View, action: string, from: string, to: string): ReturnType<typeof h> {
  const t = v.t;
  return h`<form method="get" action="${action}" class="filters" aria-label="${t.period}"><div><label for="from">${t.dateFrom}</label><input id="from" name="from" type="date" value="${from}" required></div><div><label for="to">${t.dateTo}</label><input id="to" name="to" type="date" value="${to}" required></div><div><button type="submit">${t.show}</button></div></form>`;
}

export function deliveryReportPage(v: View, input: { report: DeliveryReport; from: string; to: string; csvHref: string; error?: string }): string {
  const t = v.t;
  const r = input.report;
  const body = h`${periodForm(v, '/console/reports/delivery', input.from, input.to)}
<p><a class="button" href="${input.csvHref}" download>${t.exportCsv}</a> ${t.total}: <strong>${r.total}</strong></p>
<section aria-labelledby="per-day"><h2 id="per-day">${t.perDay}</h2>${barChart({
    id: 'delivery-chart',
    title: t.perDay,
    description: `${formatCalendarDate(input.from, v.lang)} — ${formatCalendarDate(input.to, v.lang)}: ${r.total}`,
    series: [t.sent],
    bars: r.perDay.map((d) => ({ label: formatCalendarDate(d.day, v.lang), values: [d.count] })),
  })}</section>
<section aria-labelledby="per-recipient"><h2 id="per-recipient">${t.perRecipient}</h2>
<table><thead><tr><th scope="col">${t.recipient}</th><th scope="col">${t.inn}</th><th scope="col" class="num">${t.sent}</th><th scope="col" class="num">${t.delivered}</th><th scope="col" class="num">${t.failed}</th><th scope="col" class="num">${t.avgLatency}</th><th scope="col" class="num">${t.maxLatency}</th></tr></thead><tbody>
${r.rows.map((x) => h`<tr><th scope="row">${x.recipientName}</th><td>${x.recipientInn}</td>${num(x.sent)}${num(x.delivered)}${num(x.failed)}${num(seconds(x.averageLatencySeconds))}${num(seconds(x.maxLatencySeconds))}</tr>`)}
</tbody></table></section>`;
  return page(v, { title: t.deliveryTitle, body, ...(input.error === undefined ? {} : { error: input.error }) });
}

export function disciplineReportPage(v: View, input: { report: DisciplineReport; today: string; csvHref: string }): string {
  const t = v.t;
  const r = input.report;
  const top = r.perRecipient.slice(0, 25);
  const body = h`<p>${formatCalendarDate(input.today, v.lang)}. <a class="button" href="${input.csvHref}" download>${t.exportCsv}</a></p>
<section aria-labelledby="per-recipient"><h2 id="per-recipient">${t.perRecipient}</h2>${barChart({
    id: 'discipline-chart',
    title: t.disciplineTitle,
    description: `${t.overdue}: ${r.letters.filter((l) => l.status === 'overdue').length}; ${t.dueSoon}: ${r.letters.filter((l) => l.status === 'due').length}`,
    series: [t.overdue, t.dueSoon],
    bars: top.map((x) => ({ label: x.recipientName, values: [x.overdue, x.due] })),
  })}
<table><thead><tr><th scope="col">${t.recipient}</th><th scope="col" class="num">${t.overdue}</th><th scope="col" class="num">${t.dueSoon}</th></tr></thead><tbody>
${r.perRecipient.map((x) => h`<tr><th scope="row">${x.recipientName}</th>${num(x.overdue)}${num(x.due)}</tr>`)}</tbody></table></section>
<section aria-labelledby="letters"><h2 id="letters">${t.letters}</h2>
${
  r.letters.length === 0
    ? h`<p>${t.none}</p>`
    : h`<table><thead><tr><th scope="col">${t.regNumber}</th><th scope="col">${t.subject}</th><th scope="col">${t.kind}</th><th scope="col">${t.sender}</th><th scope="col">${t.recipient}</th><th scope="col">${t.state}</th><th scope="col">${t.responseDue}</th><th scope="col" class="num">${t.daysOverdue}</th></tr></thead><tbody>
${r.letters.slice(0, 500).map(
  (l) =>
    h`<tr class="${l.status}"><th scope="row"><a href="/console/messages/${l.id}">${l.regNumber}</a></th><td>${l.subject}</td><td>${kindName(v.lang, l.kind)}</td><td>${l.senderName}</td><td>${l.recipientName}</td><td>${stateName(v.lang, l.state)}</td><td>${formatCalendarDate(l.responseDue, v.lang)}</td>${num(l.daysOverdue)}</tr>`,
)}</tbody></table>`
}</section>`;
  return page(v, { title: t.disciplineTitle, body });
}
