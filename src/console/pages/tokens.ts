import type { TokenView } from '../../admin/index.ts';
import { ROLES } from '../../directory/index.ts';
import { h } from '../html.ts';
import { formatDateTime } from '../i18n.ts';
import { csrfField, page, type View } from '../layout.ts';

export function tokensPage(v: View, input: { tokens: readonly TokenView[]; issued?: { token: string; name: string }; flash?: string; error?: string; values?: { participantId: string; name: string } }): string {
  const t = v.t;
  const issued =
    input.issued === undefined
      ? ''
      : h`<section aria-labelledby="issued" class="issued"><h2 id="issued">${t.tokenShownOnce}</h2><p><label for="new-token">${input.issued.name}</label> <input id="new-token" readonly size="80" value="${input.issued.token}"></p></section>`;
  const form = h`<section aria-labelledby="issue"><h2 id="issue">${t.issueToken}</h2><form method="post" action="/console/tokens" class="stack">${csrfField(v)}
<label for="participantId">${t.participantId}</label><input id="participantId" name="participantId" required value="${input.values?.participantId ?? ''}">
<label for="name">${t.tokenName}</label><input id="name" name="name" required value="${input.values?.name ?? ''}">
<fieldset><legend>${t.roles}</legend>${ROLES.map((r) => h`<label><input type="checkbox" name="role-${r}" value="on"${r === 'admin' ? '' : h` checked`}> ${r}</label> `)}</fieldset>
<button type="submit">${t.issue}</button></form></section>`;
  const list = h`<section aria-labelledby="list"><h2 id="list">${t.tokensTitle}</h2><table><thead><tr><th scope="col">ID</th><th scope="col">${t.tokenName}</th><th scope="col">${t.participant}</th><th scope="col">${t.roles}</th><th scope="col">${t.createdAt}</th><th scope="col">${t.revokedAt}</th><th scope="col">${t.revoke}</th></tr></thead><tbody>
${input.tokens.map(
  (k) =>
    h`<tr><th scope="row"><code>${k.id}</code></th><td>${k.name}</td><td>${k.participantId}</td><td>${k.roles.join(', ')}</td><td>${formatDateTime(k.createdAt, v.lang, v.tz)}</td><td>${formatDateTime(k.revokedAt, v.lang, v.tz)}</td><td>${
      k.revokedAt === null
        ? h`<form method="post" action="/console/tokens/${k.id}/revoke">${csrfField(v)}<button type="submit">${t.revoke} <span class="visually-hidden">${k.name}</span></button></form>`
        : ''
    }</td></tr>`,
)}</tbody></table></section>`;
  return page(v, { title: t.tokensTitle, body: h`${issued}${form}${list}`, ...(input.flash === undefined ? {} : { flash: input.flash }), ...(input.error === undefined ? {} : { error: input.error }) });
}
