import { fileURLToPath } from 'node:url';

/** The console's only static assets: served from /console/static/, referenced by the CSP as 'self'. */
export const STATIC_FILES = [
  { name: 'console.css', type: 'text/css; charset=utf-8', path: fileURLToPath(new URL('./static/console.css', import.meta.url)) },
  { name: 'console.js', type: 'text/javascript; charset=utf-8', path: fileURLToPath(new URL('./static/console.js', import.meta.url)) },
] as const;
