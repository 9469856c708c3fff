/**
 * Where things live inside a container (SPEC §2–3). The envelope lists every file and signature
 * path explicitly, so a reader never guesses; these names are only what the gateway writes.
 */
export const ENVELOPE_ENTRY = 'envelope.xml';
export const ENVELOPE_SIGNATURE_ENTRY = 'envelope.xml.p7s';
export const RECEIPT_ENTRY = 'receipt.xml';
export const RECEIPT_SIGNATURE_ENTRY = 'receipt.xml.p7s';
export const FILES_FOLDER = 'files';

/** Largest envelope/receipt XML or signature the reader loads into memory. */
export const MAX_XML_BYTES = 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 1024 * 1024;

// Characters that are unsafe or ambiguous in a ZIP entry name on some platform.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f/\\:*?"<>|]/gu;

/**
 * Turns a user's file name into one safe container segment: NFC, no separators or control
 * characters, no leading dots, at most 200 UTF-8 bytes. The original name stays in the envelope.
 */
export function safeFileSegment(name: string): string {
  let s = name.normalize('NFC').replace(UNSAFE_CHARS, '_').trim();
  s = s.replace(/^\.+/u, '_');
  if (s.length === 0) s = 'file';
  while (Buffer.byteLength(s, 'utf8') > 200) s = s.slice(0, -1);
  return s;
}

/**
 * Assigns distinct container paths `files/<name>` to the given file names, adding a numeric
 * prefix when two names collide (also case-insensitively, since some unzip tools fold case).
 */
export function assignFilePaths(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name, index) => {
    const base = safeFileSegment(name);
    let candidate = `${FILES_FOLDER}/${base}`;
    if (taken.has(candidate.toLowerCase())) candidate = `${FILES_FOLDER}/${index + 1}-${base}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** The path of the k-th (0-based) detached signature of a file at `filePath`. */
export function signaturePathFor(filePath: string, k: number): string {
  return k === 0 ? `${filePath}.p7s` : `${filePath}.${k + 1}.p7s`;
}
