import { esc, num } from './text.js';

/** One bar: its label, value, and the text a screen reader and the tooltip give. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/**
 * A horizontal bar chart as inline SVG, with a title for assistive technology and every value written
 * beside its bar (the numbers read without hovering, and in print).
 */
export function barChart(id: string, title: string, bars: readonly Bar[]): string {
  if (bars.length === 0) return '';
  const row = 22;
  const labelWidth = 230;
  const width = 760;
  const barSpace = width - labelWidth - 110;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * row + 6;
  const items = bars.map((b, i) => {
    const y = i * row + 4;
    const w = Math.max(b.value > 0 ? 1 : 0, Math.round((b.value / max) * barSpace));
    return (
      `<g><title>${esc(b.label)}: ${num(b.value)}</title>` +
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end" class="l">${esc(clip(b.label, 34))}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="${row - 6}" class="b${i % 2}"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 14}" class="v">${num(b.value)}</text></g>`
    );
  });
  return `<svg role="img" aria-labelledby="${id}-t" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="${id}-t">${esc(title)}</title>${items.join('')}</svg>`;
}

/** One column of a time chart. */
export interface Column {
  readonly label: string;
  readonly value: number;
  readonly second: number;
}

/**
 * Columns over time (data points), with a line of a second measure (records) on its own scale; each
 * column has a title with both values. The values are in the table that follows the chart.
 */
export function timeChart(id: string, title: string, columns: readonly Column[], names: readonly [string, string]): string {
  if (columns.length === 0) return '';
  const width = 760;
  const height = 220;
  const left = 8;
  const bottom = 30;
  const plot = height - bottom - 10;
  const step = Math.min(48, (width - left * 2) / columns.length);
  const max = Math.max(1, ...columns.map((c) => c.value));
  const max2 = Math.max(1, ...columns.map((c) => c.second));
  // A label is about 70 px wide: one every so many columns, so that they never overlap.
  const labelEvery = Math.max(1, Math.ceil(76 / step), Math.ceil(columns.length / 8));
  const bars: string[] = [];
  const points: string[] = [];
  columns.forEach((c, i) => {
    const x = left + i * step;
    const h = Math.round((c.value / max) * plot);
    bars.push(`<g><title>${esc(c.label)}: ${num(c.value)} ${names[0]}, ${num(c.second)} ${names[1]}</title><rect x="${x.toFixed(1)}" y="${10 + plot - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}" class="b0"/></g>`);
    points.push(`${(x + step / 2).toFixed(1)},${(10 + plot - (c.second / max2) * plot).toFixed(1)}`);
    if (i % labelEvery === 0) bars.push(`<text x="${x.toFixed(1)}" y="${height - 12}" class="l">${esc(c.label)}</text>`);
  });
  const line = `<polyline points="${points.join(' ')}" class="line" fill="none"/>`;
  const axis = `<line x1="${left}" y1="${10 + plot}" x2="${width - left}" y2="${10 + plot}" class="axis"/>`;
  const legend = `<text x="${width - left}" y="${height - 1}" text-anchor="end" class="l">columns: ${esc(names[0])} (max ${num(max)}); line: ${esc(names[1])} (max ${num(max2)})</text>`;
  return `<svg role="img" aria-labelledby="${id}-t" viewBox="0 0 ${width} ${height}" width="100%"><title id="${id}-t">${esc(title)}</title>${axis}${bars.join('')}${line}${legend}</svg>`;
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
