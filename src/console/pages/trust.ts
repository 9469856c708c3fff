import type { TrustAnchorView } from '../../admin/index.ts';
import { h } from '../html.ts';
import { formatDateTime } from '../i18n.ts';
import { csrfField, page, type View } from '../layout.ts';

/** What the add form shows again after a refused upload (the file itself cannot be refilled). */
export interface TrustFormValues {
  label: string;
  qualified: boolean;
}

/**
 * The trust store (SPEC §4): the CA certificates chains must end at, an upload form for a new one
 * and a remove button per anchor. A refused upload is reported beside the file field
 * (`aria-invalid`, `aria-describedby`) so a screen reader announces it with the control.
 */
export function trustPage(v: View, input: { anchors: readonly TrustAnchorView[]; flash?: string; error?: string; values?: TrustFormValues }): string {
  const t = v.t;
  const values = input.values ?? { label: '', qualified: false };
  const invalid = input.error !== undefined;
  const list =
    input.anchors.length === 0
      ? h`<p>${t.noAnchors}</p>`
      : h`<table><thead><tr><th scope="col">${t.certSubject}</th><th scope="col">${t.anchorLabel}</th><th scope="col">${t.qualified}</th><th scope="col">${t.anchorSource}</th><th scope="col">${t.validity}</th><th scope="col">${t.fingerprint}</th><th scope="col">${t.addedAt}</th><th scope="col">${t.remove}</th></tr></thead><tbody>
${input.anchors.map(
  (a) =>
    h`<tr><th scope="row">${a.subject}</th><td>${a.label}</td><td>${a.qualified ? t.yes : t.no}</td><td>${a.source}</td><td>${formatDateTime(a.notBefore, v.lang, v.tz)} — ${formatDateTime(a.notAfter, v.lang, v.tz)}</td><td><code class="fp">${a.fingerprint}</code></td><td>${formatDateTime(a.addedAt, v.lang, v.tz)}</td><td><form method="post" action="/console/trust/${a.fingerprint}/remove">${csrfField(v)}<button type="submit">${t.remove} <span class="visually-hidden">${a.label}</span></button></form></td></tr>`,
)}</tbody></table>`;
  const form = h`<section aria-labelledby="add-anchor"><h2 id="add-anchor">${t.addAnchor}</h2><form method="post" action="/console/trust" enctype="multipart/form-data" class="stack">${csrfField(v)}
<label for="certificate">${t.caFile}</label><input id="certificate" name="certificate" type="file" accept=".pem,.crt,.cer,.der,application/x-x509-ca-cert,application/pkix-cert" required${invalid ? h` aria-invalid="true" aria-describedby="certificate-error"` : ''}>${invalid ? h`<p class="error" id="certificate-error" role="alert">${input.error}</p>` : ''}
<label for="label">${t.anchorLabelOptional}</label><input id="label" name="label" maxlength="200" value="${values.label}">
<label><input type="checkbox" name="qualified" value="on"${values.qualified ? h` checked` : ''}> ${t.qualifiedCa}</label>
<button type="submit">${t.add}</button></form></section>`;
  const body = h`<p>${t.trustHelp}</p><section aria-labelledby="anchors"><h2 id="anchors">${t.trustTitle}</h2>${list}</section>${form}`;
  return page(v, { title: t.trustTitle, body, ...(input.flash === undefined ? {} : { flash: input.flash }) });
}
