import { resolve } from 'node:path';
import { z } from 'zod';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../crypto/index.ts';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  EDX_DATA_DIR: z.string().min(1).default('./data'),
  /** Largest container accepted over HTTP, in bytes (default 512 MiB). */
  EDX_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  /**
   * `require` or `skip`: whether signatures need a revocation check to pass. The service defaults
   * to `skip` until CRL/OCSP checking lands (issue 5): every report then says, explicitly, that
   * revocation was not checked. `edx verify` requires it by default.
   */
  EDX_REVOCATION: z.enum(['require', 'skip']).default('skip'),
  /** The directory seeded on first start (JSON as fixtures/directory.json); default: the synthetic region. */
  EDX_DIRECTORY_FILE: z.string().min(1).optional(),
  /** Key algorithm of the development PKI made on first start: `gost2012-256` runs the gateway entirely on GOST. */
  EDX_PKI_ALGORITHM: z.enum(KEY_ALGORITHMS).default('ecdsa-p256'),
  /** CRL files (PEM or DER, comma-separated) the validator checks revocation with, besides the development CA's. */
  EDX_CRL_FILES: z.string().optional(),
  /** Hours an undelivered message waits before it fails with not-delivered evidence (default 72). */
  EDX_MESSAGE_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(72),
  /** RFC 3161 TSA (http or https URL) that time-stamps every signature the gateway makes (CAdES-T); unset: none. */
  EDX_TSA_URL: z.string().url().refine((u) => /^https?:$/u.test(new URL(u).protocol), 'must be an http(s) URL').optional(),
  /** PEM file of the CA certificate(s) the TSA's certificate must chain to; required with EDX_TSA_URL. */
  EDX_TSA_TRUST: z.string().min(1).optional(),
  /** Hosts (host or host:port, comma-separated) the gateway may contact for TSA, OCSP and CRL requests. */
  EDX_ALLOW_HOSTS: z.string().optional(),
  /** Timeout of one CRL / OCSP request, in milliseconds (default 10000). */
  EDX_REVOCATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Largest CRL or OCSP response fetched, in bytes (default 20 MiB). */
  EDX_REVOCATION_MAX_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  /** A CRL distribution point is asked at most this often, and retried after this long when it fails (default 15). */
  EDX_CRL_REFRESH_MIN_MINUTES: z.coerce.number().positive().max(24 * 60).default(15),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  maxUploadBytes: number;
  revocation: 'require' | 'skip';
  messageTtlMs: number;
  directoryFile: string | undefined;
  pkiAlgorithm: KeyAlgorithm;
  crlFiles: string[];
  /** The TSA and the PEM file of its anchors, when configured. */
  tsa: { url: string; trustFile: string } | undefined;
  allowHosts: string[];
  /**
   * Fetching revocation data (CRL distribution points on a schedule, OCSP at validation time):
   * only to EDX_ALLOW_HOSTS, so with an empty list nothing is fetched.
   */
  revocationFetch: { timeoutMs: number; maxBytes: number; minRefreshMs: number };
}

/** Parses the environment once, at start; the only place that reads `process.env`. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): { ok: true; value: Config } | { ok: false; message: string } {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  const e = parsed.data;
  const allowHosts = (e.EDX_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  let tsa: Config['tsa'];
  if (e.EDX_TSA_URL !== undefined) {
    if (e.EDX_TSA_TRUST === undefined) return { ok: false, message: 'EDX_TSA_TRUST: required with EDX_TSA_URL (the PEM file of the TSA\'s CA)' };
    const url = new URL(e.EDX_TSA_URL);
    // Outbound requests go only where the operator said: the TSA's host must be listed too.
    if (!allowHosts.includes(url.host.toLowerCase()) && !allowHosts.includes(url.hostname.toLowerCase())) {
      return { ok: false, message: `EDX_ALLOW_HOSTS: must list the TSA's host ${url.host}` };
    }
    tsa = { url: e.EDX_TSA_URL, trustFile: resolve(e.EDX_TSA_TRUST) };
  }
  return {
    ok: true,
    value: {
      port: e.PORT,
      host: e.HOST,
      dataDir: resolve(e.EDX_DATA_DIR),
      maxUploadBytes: e.EDX_MAX_UPLOAD_BYTES,
      revocation: e.EDX_REVOCATION,
      messageTtlMs: e.EDX_MESSAGE_TTL_HOURS * 3_600_000,
      directoryFile: e.EDX_DIRECTORY_FILE === undefined ? undefined : resolve(e.EDX_DIRECTORY_FILE),
      pkiAlgorithm: e.EDX_PKI_ALGORITHM,
      crlFiles: (e.EDX_CRL_FILES ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '').map((f) => resolve(f)),
      tsa,
      allowHosts,
      revocationFetch: { timeoutMs: e.EDX_REVOCATION_TIMEOUT_MS, maxBytes: e.EDX_REVOCATION_MAX_BYTES, minRefreshMs: e.EDX_CRL_REFRESH_MIN_MINUTES * 60_000 },
    },
  };
}
