import { h } from '../html.ts';
import { csrfField, page, type View } from '../layout.ts';

/** Sign-in form: the token field, and a double-submit token because there is no session yet. */
export function loginPage(v: View, input: { loginCsrf: string; error?: string }): string {
  const body = h`<form method="post" action="/console/login" class="stack">
<input type="hidden" name="_csrf" value="${input.loginCsrf}"><input type="hidden" name="lang" value="${v.lang}">
<p id="token-help">${v.t.loginHelp}</p>
<label for="token">${v.t.loginToken}</label>
<input id="token" name="token" type="password" autocomplete="off" required aria-describedby="token-help" size="60">
<button type="submit">${v.t.loginSubmit}</button></form>
<p lang="${v.lang === 'ru' ? 'en' : 'ru'}"><a href="/console/login?lang=${v.lang === 'ru' ? 'en' : 'ru'}">${v.lang === 'ru' ? 'English' : 'Русский'}</a></p>`;
  return page(v, { title: v.t.loginTitle, body, ...(input.error === undefined ? {} : { error: input.error }) });
}

export function settingsPage(v: View, input: { zones: readonly string[]; flash?: string; error?: string }): string {
  const body = h`<form method="post" action="/console/settings" class="stack">${csrfField(v)}<input type="hidden" name="back" value="/console/settings">
<label for="lang">${v.t.language}</label><select id="lang" name="lang"><option value="ru"${v.lang === 'ru' ? h` selected` : ''}>Русский</option><option value="en"${v.lang === 'en' ? h` selected` : ''}>English</option></select>
<label for="tz">${v.t.timeZone}</label><input id="tz" name="tz" value="${v.tz}" list="zones" required>
<datalist id="zones">${input.zones.map((z) => h`<option value="${z}"></option>`)}</datalist>
<button type="submit">${v.t.save}</button></form>`;
  return page(v, { title: v.t.settingsTitle, body, ...(input.flash === undefined ? {} : { flash: input.flash }), ...(input.error === undefined ? {} : { error: input.error }) });
}

/** 403 / 404 / 4xx pages in the user's language. */
export function problemPage(v: View, kind: 'forbidden' | 'not-found' | 'refused', detail?: string): string {
  const title = kind === 'forbidden' ? v.t.forbiddenTitle : kind === 'not-found' ? v.t.notFoundTitle : v.t.errorTitle;
  const text = kind === 'forbidden' ? v.t.forbiddenText : kind === 'not-found' ? v.t.notFoundText : '';
  const body = h`<p>${text}</p>${detail === undefined ? '' : h`<p class="error">${detail}</p>`}<p><a href="/console">${v.t.back}</a></p>`;
  return page(v, { title, body });
}
