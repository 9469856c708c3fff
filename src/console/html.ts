import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString;

/**
 * `hono/html` with a synchronous result: every interpolated value is escaped (`& < > " '`), an
 * `Html` fragment is inserted as is, arrays are joined. The console never interpolates promises.
 */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error('a console template produced an asynchronous fragment');
  return out;
}

/** A fragment known to be safe markup (only for text this module wrote itself). */
export function trusted(markup: string): Html {
  return raw(markup);
}
