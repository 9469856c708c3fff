/**
 * Fetching revocation data (CRL over HTTP GET, RFC 5280 §4.2.1.13; OCSP over HTTP POST, RFC 6960
 * Appendix A.1) and timestamp replies (RFC 3161 §3.4) with the limits a gateway needs: an allow-list
 * of hosts, http(s) only, no redirects, a timeout and a size limit enforced while streaming.
 */
import type { CryptoResult } from '../types.ts';

export type FetchFailureCode = 'TIMEOUT' | 'TOO_LARGE' | 'HTTP_STATUS' | 'NETWORK' | 'NOT_ALLOWED';

/** The subset of WHATWG fetch used here, so tests and callers can pass their own. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export type FetchKind = 'crl' | 'ocsp' | 'tsp';

export interface FetchRevocationDataInput {
  url: string;
  kind: FetchKind;
  /** Request body: DER OCSPRequest or TimeStampReq; a CRL is fetched with GET and no body. */
  body?: Uint8Array;
  /** Host names (lower case, optionally `host:port`) the gateway may contact. */
  allowHosts: readonly string[];
  timeoutMs: number;
  maxBytes: number;
  fetch: FetchFunction;
}

const CONTENT_TYPES: Record<FetchKind, { request?: string; accept: string }> = {
  crl: { accept: 'application/pkix-crl' },
  ocsp: { request: 'application/ocsp-request', accept: 'application/ocsp-response' },
  tsp: { request: 'application/timestamp-query', accept: 'application/timestamp-reply' },
};

type FetchResult = CryptoResult<Buffer, FetchFailureCode>;

const failure = (code: FetchFailureCode, message: string): FetchResult => ({ ok: false, error: { code, message } });

/** Whether `url` is http(s) and its host (or host:port) is in `allowHosts`. */
export function isAllowedUrl(url: string, allowHosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username !== '' || parsed.password !== '') return false;
  const allowed = new Set(allowHosts.map((h) => h.toLowerCase()));
  return allowed.has(parsed.hostname.toLowerCase()) || allowed.has(parsed.host.toLowerCase());
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * Fetches `url` and returns the body bytes, or a typed failure: NOT_ALLOWED (scheme or host not
 * allowed), TIMEOUT, TOO_LARGE (Content-Length or streamed bytes above `maxBytes`), HTTP_STATUS
 * (anything but 200, redirects included — a redirect could leave the allow-list), NETWORK.
 */
export async function fetchRevocationData(input: FetchRevocationDataInput): Promise<FetchResult> {
  if (!isAllowedUrl(input.url, input.allowHosts)) return failure('NOT_ALLOWED', `${input.url} is not an allowed http(s) URL`);
  const types = CONTENT_TYPES[input.kind];
  const signal = AbortSignal.timeout(input.timeoutMs);
  const init: RequestInit = {
    method: input.body === undefined ? 'GET' : 'POST',
    redirect: 'manual',
    signal,
    headers: { accept: types.accept, ...(input.body !== undefined && types.request !== undefined ? { 'content-type': types.request } : {}) },
    ...(input.body === undefined ? {} : { body: Buffer.from(input.body) }),
  };
  let response: Response;
  try {
    response = await input.fetch(input.url, init);
  } catch (error) {
    if (isTimeout(error) || signal.aborted) return failure('TIMEOUT', `${input.url}: no answer within ${input.timeoutMs} ms`);
    return failure('NETWORK', `${input.url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const discard = async (): Promise<void> => {
    try {
      await response.body?.cancel();
    } catch {
      // The body is being thrown away; a failure to cancel changes nothing for the caller.
    }
  };
  if (response.status !== 200) {
    await discard();
    return failure('HTTP_STATUS', `${input.url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > input.maxBytes) {
    await discard();
    return failure('TOO_LARGE', `${input.url}: ${declared} bytes declared, limit ${input.maxBytes}`);
  }
  if (response.body === null) return { ok: true, value: Buffer.alloc(0) };
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > input.maxBytes) {
        await reader.cancel().catch(() => undefined);
        return failure('TOO_LARGE', `${input.url}: more than ${input.maxBytes} bytes`);
      }
      chunks.push(Buffer.from(value));
    }
  } catch (error) {
    if (isTimeout(error) || signal.aborted) return failure('TIMEOUT', `${input.url}: body not complete within ${input.timeoutMs} ms`);
    return failure('NETWORK', `${input.url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ok: true, value: Buffer.concat(chunks, total) };
}
