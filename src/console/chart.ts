import { h, type Html } from './html.ts';

export interface ChartBar {
  label: string;
  /** One value per series, stacked left to right. */
  values: readonly number[];
}

/** Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by order and legend too. */
const SERIES_FILL = ['#1f5fa8', '#c0392b', '#7a5c00'] as const;

function niceMax(value: number): number {
  // Counts: at least 4 so the quarter ticks are whole numbers.
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * A horizontal (stacked) bar chart as server-rendered SVG: no script, readable by screen readers
 * through `role="img"` with a title and a description, and each bar carries its figures as text.
 * Every label is escaped by the template.
 */
export function barChart(input: { id: string; title: string; description: string; series: readonly string[]; bars: readonly ChartBar[]; width?: number }): Html {
  const width = input.width ?? 760;
  const labelWidth = 300;
  const valueWidth = 70;
  const rowHeight = 22;
  const top = input.series.length > 1 ? 30 : 8;
  const plot = width - labelWidth - valueWidth;
  const totals = input.bars.map((b) => b.values.reduce((s, v) => s + v, 0));
  const max = niceMax(Math.max(0, ...totals));
  const height = top + Math.max(1, input.bars.length) * rowHeight + 24;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ x: labelWidth + f * plot, v: Math.round(f * max * 100) / 100 }));
  const legend =
    input.series.length > 1
      ? input.series.map((name, i) => h`<rect x="${labelWidth + i * 160}" y="6" width="12" height="12" fill="${SERIES_FILL[i % SERIES_FILL.length]}"></rect><text x="${labelWidth + i * 160 + 18}" y="16" class="chart-label">${name}</text>`)
      : [];
  const rows = input.bars.map((bar, i) => {
    const y = top + i * rowHeight;
    let x = labelWidth;
    const segments = bar.values.map((v, s) => {
      const w = (v / max) * plot;
      const rect = h`<rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(0, w).toFixed(1)}" height="${rowHeight - 6}" fill="${SERIES_FILL[s % SERIES_FILL.length]}"><title>${input.series[s] ?? ''}: ${v}</title></rect>`;
      x += w;
      return rect;
    });
    const label = bar.label.length > 36 ? `${bar.label.slice(0, 35)}…` : bar.label;
    return h`<g><text x="${labelWidth - 6}" y="${y + rowHeight / 2 + 4}" text-anchor="end" class="chart-label"><title>${bar.label}</title>${label}</text>${segments}<text x="${(x + 4).toFixed(1)}" y="${y + rowHeight / 2 + 4}" class="chart-value">${bar.values.join(' / ')}</text></g>`;
  });
  const axisY = top + input.bars.length * rowHeight + 4;
  const axis = ticks.map((t) => h`<line x1="${t.x.toFixed(1)}" y1="${top}" x2="${t.x.toFixed(1)}" y2="${axisY}" class="chart-grid"></line><text x="${t.x.toFixed(1)}" y="${axisY + 14}" text-anchor="middle" class="chart-tick">${t.v}</text>`);
  return h`<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${input.id}" role="img" aria-labelledby="${input.id}-title ${input.id}-desc" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title id="${input.id}-title">${input.title}</title><desc id="${input.id}-desc">${input.description}</desc>${legend}${axis}${rows}</svg>`;
}
