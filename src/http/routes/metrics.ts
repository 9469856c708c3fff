import { Hono } from 'hono';
import { deliveryMetrics, type GatewayContext } from '../../delivery/index.ts';
import type { AppEnv } from '../env.ts';
import type { HttpCounters } from '../http-counters.ts';

/** Prometheus text exposition format 0.0.4. */
export function metricsRoutes(gateway: GatewayContext, counters: HttpCounters): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
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
    lines.push('# HELP edx_http_requests_total HTTP requests answered by this instance.', '# TYPE edx_http_requests_total counter');
    for (const [key, n] of counters.entries()) {
      const [method, status] = key.split(' ');
      lines.push(`edx_http_requests_total{method="${method ?? ''}",status="${status ?? ''}"} ${n}`);
    }
    return c.text(`${lines.join('\n')}\n`, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
