import { Hono } from 'hono';
import { deliveryMetrics, type GatewayContext } from '../../delivery/index.ts';
import { AppError } from '../app-error.ts';
import type { AppEnv } from '../env.ts';
import type { HttpCounters } from '../http-counters.ts';

/** A Prometheus label value (text format 0.0.4: backslash, double quote and newline escaped). */
function label(value: string): string {
  return value.replace(/\\/gu, '\\\\').replace(/"/gu, '\\"').replace(/\n/gu, '\\n');
}

/**
 * Prometheus text exposition format 0.0.4; `/readyz/revocation` details the CRL cache (age of each
 * cached CRL) and answers 503 NOT_READY while a distribution point has no fresh CRL.
 */
export function metricsRoutes(gateway: GatewayContext, counters: HttpCounters): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/readyz/revocation', (c) => {
    const crls = gateway.crlCacheState?.() ?? [];
    const stale = crls.filter((e) => e.stale).map((e) => e.url);
    if (stale.length > 0) {
      throw new AppError('NOT_READY', `no fresh CRL for ${stale.length} distribution point(s): ${stale.join(', ')}`, { crls });
    }
    return c.json({ status: 'ready', crls });
  });
  app.get('/metrics', (c) => {
    const m = deliveryMetrics(gateway);
    const lines: string[] = [];
    lines.push('# HELP edx_messages Messages by delivery state (SPEC §5).', '# TYPE edx_messages gauge');
    for (const [state, n] of Object.entries(m.byState)) lines.push(`edx_messages{state="${state}"} ${n}`);
    lines.push('# HELP edx_delivery_latency_seconds Time from acceptance to delivery.', '# TYPE edx_delivery_latency_seconds histogram');
    for (const b of m.latency.buckets) lines.push(`edx_delivery_latency_seconds_bucket{le="${b.le}"} ${b.count}`);
    lines.push(`edx_delivery_latency_seconds_bucket{le="+Inf"} ${m.latency.count}`);
    lines.push(`edx_delivery_latency_seconds_sum ${m.latency.sumSeconds}`, `edx_delivery_latency_seconds_count ${m.latency.count}`);
    lines.push('# HELP edx_messages_overdue Letters whose response is overdue (executive discipline).', '# TYPE edx_messages_overdue gauge');
    lines.push(`edx_messages_overdue ${m.overdue}`);
    const crls = gateway.crlCacheState?.() ?? [];
    if (crls.length > 0) {
      lines.push('# HELP edx_crl_age_seconds Seconds since thisUpdate of the cached CRL of each distribution point.', '# TYPE edx_crl_age_seconds gauge');
      for (const e of crls) if (e.ageSeconds !== null) lines.push(`edx_crl_age_seconds{url="${label(e.url)}"} ${e.ageSeconds}`);
      lines.push('# HELP edx_crl_stale 1 when a distribution point has no cached CRL or it is past its nextUpdate.', '# TYPE edx_crl_stale gauge');
      for (const e of crls) lines.push(`edx_crl_stale{url="${label(e.url)}"} ${e.stale ? 1 : 0}`);
    }
    lines.push('# HELP edx_http_requests_total HTTP requests answered by this instance.', '# TYPE edx_http_requests_total counter');
    for (const [key, n] of counters.entries()) {
      const [method, status] = key.split(' ');
      lines.push(`edx_http_requests_total{method="${method ?? ''}",status="${status ?? ''}"} ${n}`);
    }
    return c.text(`${lines.join('\n')}\n`, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
