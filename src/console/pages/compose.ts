import type { ParticipantView } from '../../admin/index.ts';
import { h } from '../html.ts';
import { kindName, stateName } from '../i18n.ts';
import { csrfField, page, type View } from '../layout.ts';

const KINDS = ['letter', 'request', 'appeal', 'notice'] as const;

export interface ComposeValues {
  q: string;
  selected: readonly string[];
  kind: string;
  regNumber: string;
  regDate: string;
  subject: string;
  signatoryName: string;
  signatoryPosition: string;
  responseDue: string;
}

/**
 * The compose form. Without JavaScript the search is a GET form that narrows the recipient
 * checkboxes on the server; with it, console.js filters the same list as the user types.
 */
export function composePage(v: View, input: { values: ComposeValues; candidates: readonly ParticipantView[]; idem: string; error?: string }): string {
  const t = v.t;
  const val = input.values;
  const chosen = new Set(val.selected);
  const search = h`<form method="get" action="/console/compose" role="search" aria-label="${t.recipients}" class="filters">
<div><label for="q">${t.findRecipients}</label><input id="q" name="q" value="${val.q}" data-filter="recipients" autocomplete="off"></div><div><button type="submit">${t.find}</button></div></form>`;
  const form = h`<form method="post" action="/console/compose" enctype="multipart/form-data" class="stack">${csrfField(v)}<input type="hidden" name="_idem" value="${input.idem}">
<fieldset><legend>${t.recipients}</legend><ul class="recipients" id="recipients">
${input.candidates.map(
  (p) =>
    h`<li data-search="${`${p.name} ${p.shortName} ${p.inn} ${p.ogrn} ${p.id}`.toLocaleLowerCase('ru')}"><label><input type="checkbox" name="to.${p.id}" value="on"${chosen.has(p.id) ? h` checked` : ''}> ${p.name} <span class="muted">(${t.inn} ${p.inn})</span></label></li>`,
)}</ul></fieldset>
<label for="kind">${t.documentKind}</label><select id="kind" name="kind">${KINDS.map((k) => h`<option value="${k}"${val.kind === k ? h` selected` : ''}>${kindName(v.lang, k)}</option>`)}</select>
<label for="regNumber">${t.regNumber}</label><input id="regNumber" name="regNumber" required maxlength="100" value="${val.regNumber}">
<label for="regDate">${t.regDate}</label><input id="regDate" name="regDate" type="date" required value="${val.regDate}">
<label for="subject">${t.subject}</label><input id="subject" name="subject" required maxlength="1000" value="${val.subject}">
<label for="signatoryName">${t.signatoryName}</label><input id="signatoryName" name="signatoryName" required value="${val.signatoryName}">
<label for="signatoryPosition">${t.signatoryPosition}</label><input id="signatoryPosition" name="signatoryPosition" required value="${val.signatoryPosition}">
<label for="responseDue">${t.responseDueOptional}</label><input id="responseDue" name="responseDue" type="date" value="${val.responseDue}">
<label for="files">${t.files}</label><input id="files" name="files" type="file" multiple required aria-describedby="files-help"><p id="files-help" class="muted">${t.filesHelp}</p>
<button type="submit">${t.send}</button></form>`;
  return page(v, { title: t.composeTitle, body: h`${search}${form}`, ...(input.error === undefined ? {} : { error: input.error }) });
}

export function sentPage(v: View, input: { messages: readonly { id: string; to: string; toName: string; state: string }[] }): string {
  const t = v.t;
  const body = h`<p>${t.sentText}</p><table><thead><tr><th scope="col">${t.recipient}</th><th scope="col">${t.state}</th><th scope="col">ID</th></tr></thead><tbody>
${input.messages.map((m) => h`<tr><th scope="row">${m.toName}</th><td>${stateName(v.lang, m.state)}</td><td><a href="/console/messages/${m.id}">${m.id}</a></td></tr>`)}</tbody></table>
<p><a href="/console/messages">${t.navMessages}</a></p>`;
  return page(v, { title: t.sentTitle, body, flash: t.sentTitle });
}
