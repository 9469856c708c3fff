/** Requests by "METHOD status", counted in-process for /metrics. */
export type HttpCounters = Map<string, number>;

export function countRequest(counters: HttpCounters, method: string, status: number): void {
  const key = `${method} ${status}`;
  counters.set(key, (counters.get(key) ?? 0) + 1);
}
