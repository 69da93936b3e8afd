/**
 * Dependency-free SVG charts for benchmark results: a grouped bar chart (categories on x, one coloured bar per
 * series, linear y from 0 with round ticks, optional dashed reference lines such as a target). Values are printed
 * above bars so the chart reads without hovering. Pure: returns the SVG text.
 */

export interface BarSeries {
  readonly name: string;
  /** One value per category (undefined = no bar). */
  readonly values: readonly (number | undefined)[];
}

export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
}

export interface BarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
  /** Digits after the point in bar labels. Default 0. */
  readonly valueDigits?: number;
}

const COLOURS = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04'];

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round step (1, 2, 2.5 or 5 × 10^k) giving about `count` ticks up to max. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const factor = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10;
  return factor * magnitude;
}

export function barChartSvg(options: BarChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 420;
  const margin = { top: options.subtitle ? 62 : 46, right: 24, bottom: 86, left: 76 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const digits = options.valueDigits ?? 0;

  const values = options.series.flatMap((s) => s.values.filter((v): v is number => Number.isFinite(v)));
  const refMax = Math.max(0, ...(options.references ?? []).map((r) => r.y));
  const step = niceStep(Math.max(1e-9, ...values, refMax) * 1.1);
  const yMax = Math.ceil((Math.max(...values, refMax, step) * 1.1) / step) * step;
  const y = (v: number) => margin.top + plotH - (v / yMax) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600">${escapeXml(options.title)}</text>`,
  );
  if (options.subtitle) {
    out.push(`<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(options.subtitle)}</text>`);
  }
  // y axis, grid and ticks
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const yy = y(v).toFixed(1);
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${yy}" y2="${yy}" stroke="#e5e7eb"/>`,
      `<text x="${margin.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#374151">${escapeXml(formatNumber(v))}</text>`,
    );
  }
  out.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#374151"/>`,
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#374151"/>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111">${escapeXml(options.yLabel)}</text>`,
    `<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 40}" text-anchor="middle" fill="#111">${escapeXml(options.xLabel)}</text>`,
  );

  // bars
  const groups = Math.max(1, options.categories.length);
  const groupW = plotW / groups;
  const barW = Math.min(48, (groupW * 0.8) / Math.max(1, options.series.length));
  options.categories.forEach((category, ci) => {
    const gx = margin.left + ci * groupW + groupW / 2;
    out.push(
      `<text x="${gx.toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle" fill="#374151">${escapeXml(category)}</text>`,
    );
    const present = options.series.filter((s) => Number.isFinite(s.values[ci]));
    present.forEach((s, i) => {
      const v = s.values[ci] as number;
      const colour = COLOURS[options.series.indexOf(s) % COLOURS.length];
      const x = gx - (present.length * barW) / 2 + i * barW;
      const top = y(v);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(margin.top + plotH - top).toFixed(1)}" fill="${colour}"><title>${escapeXml(`${s.name} · ${category}: ${formatNumber(v, digits)}`)}</title></rect>`,
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#111">${escapeXml(formatNumber(v, digits))}</text>`,
      );
    });
  });

  // reference lines
  for (const ref of options.references ?? []) {
    const yy = y(ref.y).toFixed(1);
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${yy}" y2="${yy}" stroke="#dc2626" stroke-dasharray="6 4"/>`,
      `<text x="${margin.left + plotW - 4}" y="${(Number(yy) - 5).toFixed(1)}" text-anchor="end" fill="#dc2626" font-size="11">${escapeXml(ref.label)}</text>`,
    );
  }

  // legend
  const legendY = height - 22;
  let lx = margin.left;
  options.series.forEach((s, i) => {
    out.push(
      `<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`,
      `<text x="${lx + 17}" y="${legendY}" fill="#111">${escapeXml(s.name)}</text>`,
    );
    lx += 30 + s.name.length * 7;
  });
  out.push('</svg>');
  return out.join('\n');
}

function formatNumber(v: number, digits = 0): string {
  return v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
