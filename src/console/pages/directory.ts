import type { AdminWarning, FieldError, ParticipantView, RegisteredCertificate } from '../../admin/index.ts';
import { h, type Html } from '../html.ts';
import { formatDateTime, type TextKey } from '../i18n.ts';
import { csrfField, page, type View } from '../layout.ts';

export function directoryPage(v: View, input: { q: string; items: readonly ParticipantView[]; total: number; offset: number; limit: number }): string {
  const t = v.t;
  const link = (offset: number): string => `/console/directory?${new URLSearchParams({ q: input.q, offset: String(offset) }).toString()}`;
  const body = h`<form method="get" action="/console/directory" role="search" aria-label="${t.directoryTitle}" class="filters">
<div><label for="q">${t.query}</label><input id="q" name="q" value="${input.q}" aria-describedby="q-help"></div><div><button type="submit">${t.search}</button></div></form>
<p id="q-help">${t.directoryHelp} ${t.found}: <strong>${input.total}</strong>.</p>
<table><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.inn}</th><th scope="col">${t.ogrn}</th><th scope="col">${t.category}</th><th scope="col">${t.state}</th></tr></thead><tbody>
${input.items.map((p) => h`<tr><th scope="row"><a href="/console/directory/${encodeURIComponent(p.id)}">${p.name}</a></th><td>${p.inn}</td><td>${p.ogrn}</td><td>${p.category}</td><td>${p.state === 'active' ? t.active : p.state}</td></tr>`)}
</tbody></table>
<nav class="pager" aria-label="${t.found}">${input.offset > 0 ? h`<a href="${link(Math.max(0, input.offset - input.limit))}" rel="prev">${t.previous}</a> ` : ''}${input.offset + input.limit < input.total ? h`<a href="${link(input.offset + input.limit)}" rel="next">${t.next}</a>` : ''}</nav>`;
  return page(v, { title: t.directoryTitle, body });
}

/** Fields an administrator edits in the console (the rest through the API or an import). */
export const EDITABLE_FIELDS = ['name', 'shortName', 'inn', 'ogrn', 'kpp', 'region', 'address', 'email', 'phone'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

const FIELD_LABEL: Record<EditableField, TextKey> = {
  name: 'name',
  shortName: 'shortName',
  inn: 'inn',
  ogrn: 'ogrn',
  kpp: 'kpp',
  region: 'region',
  address: 'address',
  email: 'email',
  phone: 'phone',
};

function certificateTable(v: View, certs: readonly RegisteredCertificate[]): Html {
  const t = v.t;
  if (certs.length === 0) return h`<p>${t.none}</p>`;
  return h`<table><thead><tr><th scope="col">${t.subject}</th><th scope="col">${t.issuer}</th><th scope="col">${t.notAfter}</th><th scope="col">${t.qualified}</th><th scope="col">${t.state}</th><th scope="col">${t.fingerprint}</th>${v.isAdmin ? h`<th scope="col">${t.revoke}</th>` : ''}</tr></thead><tbody>
${certs.map(
  (c) =>
    h`<tr><th scope="row">${c.subject}</th><td>${c.issuer}</td><td>${formatDateTime(c.notAfter, v.lang, v.tz)}</td><td>${c.qualified ? t.yes : t.no}</td><td>${c.state === 'active' ? t.active : t.revoked}</td><td><code class="fp">${c.fingerprint}</code></td>${
      v.isAdmin
        ? h`<td>${c.state === 'active' ? h`<form method="post" action="/console/certificates/${c.fingerprint}/revoke">${csrfField(v)}<input type="hidden" name="participantId" value="${c.participantId}"><button type="submit">${t.revoke} <span class="visually-hidden">${c.subject}</span></button></form>` : ''}</td>`
        : ''
    }</tr>`,
)}</tbody></table>`;
}

export function participantPage(
  v: View,
  input: { participant: ParticipantView; certificates: readonly RegisteredCertificate[]; values?: Partial<Record<EditableField, string>>; fieldErrors?: readonly FieldError[]; warnings?: readonly AdminWarning[]; flash?: string; error?: string },
): string {
  const t = v.t;
  const p = input.participant;
  const base = `/console/directory/${encodeURIComponent(p.id)}`;
  const errorsFor = (f: string): readonly FieldError[] => (input.fieldErrors ?? []).filter((e) => e.field === f);
  const value = (f: EditableField): string => input.values?.[f] ?? (p[f] ?? '');
  const facts = h`<dl class="facts"><dt>ID</dt><dd><code>${p.id}</code></dd><dt>${t.name}</dt><dd>${p.name}</dd><dt>${t.inn}</dt><dd>${p.inn}</dd><dt>${t.ogrn}</dt><dd>${p.ogrn}</dd><dt>${t.category}</dt><dd>${p.category}</dd><dt>${t.state}</dt><dd>${p.state}</dd><dt>${t.address}</dt><dd>${p.address ?? '—'}</dd></dl>`;
  const edit = v.isAdmin
    ? h`<section aria-labelledby="edit"><h2 id="edit">${t.edit}</h2><form method="post" action="${base}" class="stack" novalidate>${csrfField(v)}
${EDITABLE_FIELDS.map((f) => {
  const errs = errorsFor(f);
  return h`<label for="f-${f}">${t[FIELD_LABEL[f]]}</label><input id="f-${f}" name="${f}" value="${value(f)}"${errs.length > 0 ? h` aria-invalid="true" aria-describedby="e-${f}"` : ''}>${errs.length > 0 ? h`<span class="error" id="e-${f}">${errs.map((e) => `${e.code}: ${e.message}`).join('; ')}</span>` : ''}`;
})}
<button type="submit">${t.save}</button></form></section>`
    : '';
  const upload = v.isAdmin
    ? h`<section aria-labelledby="upload"><h2 id="upload">${t.uploadCertificate}</h2><form method="post" action="${base}/certificates" enctype="multipart/form-data" class="stack">${csrfField(v)}
<label for="certificate">${t.certificateFile}</label><input id="certificate" name="certificate" type="file" accept=".pem,.crt,.cer,.der,.p7b,.p7c,application/x-x509-ca-cert,application/pkcs7-mime" required>
<button type="submit">${t.upload}</button></form></section>`
    : '';
  const warnings =
    input.warnings === undefined || input.warnings.length === 0
      ? ''
      : h`<section aria-labelledby="warnings"><h2 id="warnings">${t.warnings}</h2><ul>${input.warnings.map((w) => h`<li><strong>${w.code}</strong>: ${w.message}</li>`)}</ul></section>`;
  const body = h`${facts}${warnings}<section aria-labelledby="certs"><h2 id="certs">${t.certificates}</h2>${certificateTable(v, input.certificates)}</section>${upload}${edit}`;
  return page(v, { title: `${t.participantTitle}: ${p.shortName}`, body, ...(input.flash === undefined ? {} : { flash: input.flash }), ...(input.error === undefined ? {} : { error: input.error }) });
}
