import { h, type Html } from './html.ts';
import { texts, type Lang, type TextKey } from './i18n.ts';
import type { ConsoleSession } from './session.ts';

/** What every page needs to render: language, time zone, the signed-in user (if any), the request path. */
export interface View {
  lang: Lang;
  tz: string;
  t: Readonly<Record<TextKey, string>>;
  session: ConsoleSession | undefined;
  isAdmin: boolean;
  path: string;
}

export function makeView(input: { lang: Lang; tz: string; session: ConsoleSession | undefined; path: string }): View {
  return { ...input, t: texts(input.lang), isAdmin: input.session?.roles.includes('admin') ?? false };
}

/** The hidden synchronizer-token field every POST form carries. */
export function csrfField(v: View): Html {
  return h`<input type="hidden" name="_csrf" value="${v.session?.csrfToken ?? ''}">`;
}

type NavItem = { href: string; key: TextKey; admin?: boolean; send?: boolean };

const NAV: readonly NavItem[] = [
  { href: '/console', key: 'navDashboard' },
  { href: '/console/messages', key: 'navMessages' },
  { href: '/console/compose', key: 'navCompose', send: true },
  { href: '/console/directory', key: 'navDirectory' },
  { href: '/console/tokens', key: 'navTokens', admin: true },
  { href: '/console/trust', key: 'navTrust', admin: true },
  { href: '/console/audit', key: 'navAudit', admin: true },
  { href: '/console/reports/delivery', key: 'navDelivery' },
  { href: '/console/reports/discipline', key: 'navDiscipline' },
  { href: '/console/settings', key: 'navSettings' },
];

function isCurrent(path: string, href: string): boolean {
  return href === '/console' ? path === '/console' || path === '/console/' : path === href || path.startsWith(`${href}/`);
}

/**
 * The page shell: `lang` on <html>, a skip link, one <h1> (the page title), navigation with
 * `aria-current`, and the language switch. Only static CSS and one small static script are
 * referenced, so the Content-Security-Policy needs no 'unsafe-inline'.
 */
export function page(v: View, input: { title: string; body: Html; flash?: string; error?: string }): string {
  const s = v.session;
  const nav =
    s === undefined
      ? h``
      : h`<nav aria-label="${v.t.appName}"><ul>${NAV.filter((n) => (n.admin !== true || v.isAdmin) && (n.send !== true || s.roles.includes('send'))).map(
          (n) => h`<li><a href="${n.href}"${isCurrent(v.path, n.href) ? h` aria-current="page"` : ''}>${v.t[n.key]}</a></li>`,
        )}</ul></nav>`;
  const user =
    s === undefined
      ? h``
      : h`<div class="user"><span>${v.t.signedInAs} <strong>${s.participantName}</strong> (${s.participantId}; ${s.roles.join(', ')})</span>
<form method="post" action="/console/settings" class="inline"><input type="hidden" name="_csrf" value="${s.csrfToken}"><input type="hidden" name="tz" value="${v.tz}"><input type="hidden" name="back" value="${v.path}"><label for="lang-switch">${v.t.language}</label> <select id="lang-switch" name="lang"><option value="ru"${v.lang === 'ru' ? h` selected` : ''}>Русский</option><option value="en"${v.lang === 'en' ? h` selected` : ''}>English</option></select> <button type="submit">${v.t.save}</button></form>
<form method="post" action="/console/logout" class="inline"><input type="hidden" name="_csrf" value="${s.csrfToken}"><button type="submit">${v.t.logout}</button></form></div>`;
  const flash = input.flash === undefined ? '' : h`<p class="flash" role="status">${input.flash}</p>`;
  const error = input.error === undefined ? '' : h`<p class="error" role="alert">${input.error}</p>`;
  return `<!doctype html>\n${h`<html lang="${v.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${input.title} — ${v.t.appName}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/console/static/console.css"><script src="/console/static/console.js" defer></script></head>
<body><a class="skip" href="#main">${v.t.skip}</a><header><p class="brand">${v.t.appName}</p>${user}${nav}</header>
<main id="main" tabindex="-1"><h1>${input.title}</h1>${flash}${error}${input.body}</main></body></html>`}`;
}

/** A table cell with a number, right-aligned by the stylesheet. */
export function num(value: number | string): Html {
  return h`<td class="num">${value}</td>`;
}
