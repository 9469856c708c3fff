/** Default bound on a container path, in UTF-8 bytes (SPEC §3). */
export const DEFAULT_MAX_PATH_BYTES = 1024;

// C0 and C1 controls and DEL: invisible in listings, and NUL truncates names in C-based extractors.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/u;
// A lone surrogate cannot be encoded as UTF-8 and would be silently replaced by U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DRIVE_LETTER = /^[A-Za-z]:/u;

/**
 * Whether `path` is an acceptable container entry path (SPEC §3): relative, `/`-separated,
 * NFC-normalised UTF-8, no empty, `.` or `..` segments, no backslashes, drive letters, control
 * characters or lone surrogates, and at most `maxPathBytes` UTF-8 bytes. These are the rules of
 * APPNOTE.TXT §4.4.17 ("no drive letter, forward slashes only, no leading slash") tightened so
 * that extraction on any OS lands exactly where the name says (zip-slip).
 */
export function isSafeContainerPath(path: string, maxPathBytes: number = DEFAULT_MAX_PATH_BYTES): boolean {
  if (path.length === 0) return false;
  if (Buffer.byteLength(path, 'utf8') > maxPathBytes) return false;
  if (LONE_SURROGATE.test(path)) return false;
  if (path.normalize('NFC') !== path) return false;
  if (CONTROL_CHARS.test(path)) return false;
  if (path.includes('\\')) return false;
  if (path.startsWith('/') || DRIVE_LETTER.test(path)) return false;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}

/**
 * The key under which two paths collide on a case-insensitive file system (Windows NTFS, macOS
 * APFS/HFS+). Upper- then lower-casing also folds `ß`/`ss` and similar pairs: stricter than any
 * one file system, which is the safe direction.
 */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase();
}
